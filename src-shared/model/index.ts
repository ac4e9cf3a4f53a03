/** The model spec: layer kinds, stacks, shapes, parameter counts and validation, Keras-exact. */
export type * from './types';
export { layerKinds, layerKindNames, recurrentKindNames, getLayerKind } from './registry';
export { nextLayerName, pinLayerNames, resolveLayerNames, resolveNames, type ResolvedNames } from './names';
export { analyzeStack, type AnalyzedLayer, type StackAnalysis } from './analyze';
export { summarize, validateStack, formatSummary, formatIssues, countParams } from './summary';
export { requireModelFits, type ModelUse } from './memory';
export { applyFix, createLayer, newLayerId } from './fix';
export { formatShape } from './shape';
export { formatCount, activations, type Activation } from './options';
export { modelInputShape } from './embedding';
export { resetAfterGruClassName } from './gru';
export { wrappedLayer, computingLayer, isRecurrentLayer } from './bidirectional';
export {
  describeKernels,
  describeRecurrentPaths,
  formatRecurrentPath,
  fusedPlan,
  recurrentPaths,
  type FusedKernels,
  type FusedLayerPlan,
  type FusedPlan,
  type RecurrentLayerPath,
} from './recurrent-path';
