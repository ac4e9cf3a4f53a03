"""Python reference for `npm run bench:data`: tarfile plus Keras-style tokenization in plain Python.

Reads an aclImdb .tar.gz with the standard library's tarfile, keeps train/test x pos/neg reviews in the
same canonical order the app uses (neg then pos, by file id), removes `<br />`, and tokenizes with the
code of keras.preprocessing.text.Tokenizer (fit_on_texts, texts_to_sequences) and pad_sequences
(pre/pre), transcribed without numpy. Prints one JSON line: seconds and a checksum of the word index.
"""
import hashlib
import json
import re
import sys
import tarfile
import time
from array import array

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
REVIEW = re.compile(r"(?:^|/)(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


def text_to_word_sequence(text, translate_map):
    text = text.lower().translate(translate_map)
    return [w for w in text.split(" ") if w]


def main(path, num_words, maxlen):
    started = time.perf_counter()
    splits = {"train": [], "test": []}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            m = REVIEW.search(member.name)
            if not m or not member.isfile():
                continue
            text = tar.extractfile(member).read().decode("utf-8", errors="replace")
            label = 1 if m.group(2) == "pos" else 0
            splits[m.group(1)].append((label, int(m.group(3)), int(m.group(4)), text.replace("<br />", " ")))
    read_seconds = time.perf_counter() - started
    for reviews in splits.values():
        reviews.sort(key=lambda r: (r[0], r[1], r[2]))

    translate_map = str.maketrans({c: " " for c in FILTERS})
    word_counts = {}
    train_words = []
    for _, _, _, text in splits["train"]:
        seq = text_to_word_sequence(text, translate_map)
        train_words.append(seq)
        for w in seq:
            word_counts[w] = word_counts.get(w, 0) + 1
    wcounts = list(word_counts.items())
    wcounts.sort(key=lambda x: x[1], reverse=True)
    word_index = {w: i + 1 for i, (w, _) in enumerate(wcounts)}

    def to_padded(sequences):
        out = array("i", bytes(4 * maxlen * len(sequences)))
        for row, seq in enumerate(sequences):
            ids = [i for i in (word_index.get(w) for w in seq) if i is not None and i < num_words][-maxlen:]
            start = row * maxlen + maxlen - len(ids)
            out[start:start + len(ids)] = array("i", ids)
        return out

    x_train = to_padded(train_words)
    x_test = to_padded([text_to_word_sequence(r[3], translate_map) for r in splits["test"]])
    seconds = time.perf_counter() - started
    vocabulary = "\n".join(w for w, _ in wcounts[: num_words - 1])
    print(json.dumps({
        "seconds": seconds,
        "readSeconds": read_seconds,
        "train": len(splits["train"]),
        "test": len(splits["test"]),
        "vocabSize": len(word_index),
        "vocabularySha256": hashlib.sha256(vocabulary.encode("utf-8")).hexdigest(),
        "trainIdsSum": sum(x_train),
        "testIdsSum": sum(x_test),
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
