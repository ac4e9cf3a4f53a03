/** The layer catalog: adding a kind is its file plus one line here. */
import { activation } from './activation';
import { bidirectional } from './bidirectional';
import { conv1d } from './conv1d';
import { dense } from './dense';
import { dropout } from './dropout';
import { embedding } from './embedding';
import { flatten } from './flatten';
import { globalAveragePooling1d } from './global-average-pooling1d';
import { globalMaxPooling1d } from './global-max-pooling1d';
import { gru } from './gru';
import { lstm } from './lstm';
import { maxPooling1d } from './max-pooling1d';
import { simpleRnn } from './simple-rnn';
import { spatialDropout1d } from './spatial-dropout1d';
import type { LayerKind } from './types';

/** Every layer kind, in palette order, keyed by Keras class name. */
export const layerKinds: Readonly<Record<string, LayerKind>> = Object.freeze(
  Object.fromEntries(
    [
      embedding,
      simpleRnn,
      lstm,
      gru,
      bidirectional,
      dense,
      activation,
      dropout,
      spatialDropout1d,
      conv1d,
      maxPooling1d,
      globalMaxPooling1d,
      globalAveragePooling1d,
      flatten,
    ].map((kind) => [kind.kind, kind as unknown as LayerKind]),
  ),
);

/** The kind registered under a Keras class name, or undefined. */
export function getLayerKind(kind: string): LayerKind | undefined {
  return Object.hasOwn(layerKinds, kind) ? layerKinds[kind] : undefined;
}

/** The kinds a layer's `kind` may name, for messages and the palette. */
export const layerKindNames: readonly string[] = Object.keys(layerKinds);

/** The recurrent kinds (the ones Bidirectional wraps and the engine may fuse). */
export const recurrentKindNames: readonly string[] = layerKindNames.filter((name) => layerKinds[name]!.category === 'recurrent');
