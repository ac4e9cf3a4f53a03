/**
 * What a trained model makes of one review, step by step (read-along), and how its loss gradient
 * reaches back over the steps (gradient over time): the shapes the engine, the API, the CLI and the
 * Runs panel share.
 */

/** What became of one word of the typed text on its way into the model. */
export type WordFate =
  /** In the vocabulary, read by the model. */
  | 'read'
  /** Out of the vocabulary and replaced by the OOV id (imdb.npz's scheme); the model reads the OOV id. */
  | 'oov'
  /** Out of the vocabulary and dropped (Keras' Tokenizer without an oov_token); the model never sees it. */
  | 'dropped'
  /** Cut off the front by maxlen (`truncating='pre'`); the model never sees it. */
  | 'truncated';

/** One word of the typed text: as split (lowercased, punctuation removed) and what became of it. */
export interface ReadAlongWord {
  text: string;
  fate: WordFate;
  /** Its id when the model reads it (`read`, `oov`), else null. */
  id: number | null;
}

/** The model reading one review. */
export interface ReadAlong {
  /** The tokens the model reads, in order after padding and truncation: a word, `<start>` or `<oov>`. */
  tokens: string[];
  /** Their ids, one per token. */
  ids: number[];
  /** Every word of the typed text and what became of it (dropped and truncated ones included). */
  words: ReadAlongWord[];
  /** Padding steps (id 0) the model reads before the first token: maxlen minus the tokens. */
  padding: number;
  /** The run's prediction for the whole review, as `predict` gives it. */
  prediction: number;
  /**
   * The positive probability after each token: the layers after the reading recurrent layer applied to
   * its state after that token, the later steps skipped. Null where the stack has no such reading (see `note`).
   */
  probabilities: number[] | null;
  /**
   * The reading layer's state after each token, one row per token (`units` values, both halves for
   * Bidirectional: forward, then backward). Null with `probabilities`.
   */
  state: number[][] | null;
  /** LSTM only (not inside Bidirectional): the carry `c` after each token, one row per token. */
  carry: number[][] | null;
  /** The reading layer, `name (Kind)`, or null. */
  layer: string | null;
  /** How the line is defined for this stack, or why there is none. */
  note: string;
}

/** The loss gradient with respect to the reading layer's state at each step, over a batch of reviews. */
export interface GradientOverTime {
  /** Per step `t` (0 = first of maxlen): mean over the reviews of ‖∂loss/∂h_t‖₂. */
  norms: number[];
  /** Validation reviews averaged over. */
  reviews: number;
  /** The reading layer, `name (Kind)`. */
  layer: string;
  /** What the numbers are for this stack (Bidirectional: the forward half). */
  note: string;
}
