/** `model.summary()`: the rows and totals Keras prints, as data and as Keras' text table. */
import { analyzeStack } from './analyze';
import { formatCount } from './options';
import { formatShape } from './shape';
import type { DatasetContext, LayerSpec, ModelSummary, SummaryRow, ValidationIssue } from './types';

/** Keras `count_params`: the sum over weights of the product of each shape. */
export function countParams(weights: readonly { shape: readonly number[] }[]): number {
  return weights.reduce((total, weight) => total + weight.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Summarizes a stack the way Keras' `model.summary()` does, plus the validation issues.
 * Layers after a problem keep their name and type but show `?` for what cannot be known.
 */
export function summarize(stack: readonly LayerSpec[], dataset: DatasetContext = {}): ModelSummary {
  const analysis = analyzeStack(stack, dataset);
  let trainableParams = 0;
  let nonTrainableParams = 0;
  let multiplyAdds = 0;
  const rows: SummaryRow[] = analysis.layers.map((layer) => {
    const trainable = layer.spec.trainable !== false;
    const known = layer.kind !== undefined && layer.options !== null && layer.inputShape !== null && layer.weights !== null;
    const params = known ? countParams(layer.weights!) : null;
    if (params !== null) {
      if (trainable) trainableParams += params;
      else nonTrainableParams += params;
    }
    const expression = known ? layer.kind!.paramFormula(layer.options!, layer.inputShape!) : '';
    const cost = known ? layer.kind!.multiplyAdds(layer.options!, layer.inputShape!) : null;
    if (cost !== null) multiplyAdds += cost;
    return {
      id: layer.spec.id,
      name: layer.name,
      type: layer.kind?.kind ?? layer.spec.kind,
      outputShape: layer.outputShape === null ? '?' : formatShape(layer.outputShape),
      shape: layer.outputShape,
      params,
      paramFormula: expression === '' || params === null ? '' : `${expression} = ${formatCount(params)}`,
      multiplyAdds: cost,
      trainable,
    };
  });
  return {
    rows,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
    multiplyAdds,
    inputShape: analysis.inputShape === null ? '?' : formatShape(analysis.inputShape),
    issues: analysis.issues,
    valid: analysis.issues.length === 0,
  };
}

/** The validation issues of a stack alone (the same list `summarize` returns). */
export function validateStack(stack: readonly LayerSpec[], dataset: DatasetContext = {}): ValidationIssue[] {
  return analyzeStack(stack, dataset).issues;
}

/** The issues as text lines, each naming its layer: `lstm: LSTM needs a sequence: …`. */
export function formatIssues(summary: ModelSummary): string[] {
  return summary.issues.map((issue) => {
    const row = issue.layerIndex >= 0 ? summary.rows[issue.layerIndex] : undefined;
    return row === undefined ? issue.message : `${row.name}: ${issue.message}`;
  });
}

/**
 * The Keras 2 text table (`print_summary` with Sequential's column stops at 29, 55 and 65
 * characters), widened when a name or shape does not fit.
 */
export function formatSummary(summary: ModelSummary, modelName = 'sequential'): string {
  const cells = summary.rows.map((row) => [`${row.name} (${row.type})`, row.outputShape, row.params === null ? '?' : String(row.params)]);
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = [29, 26, 10];
  for (const line of [header, ...cells]) {
    line.forEach((cell, column) => {
      if (column < 2) widths[column] = Math.max(widths[column]!, cell.length + 1);
      else widths[column] = Math.max(widths[column]!, cell.length);
    });
  }
  const width = widths.reduce((a, b) => a + b, 0);
  const format = (line: string[]) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('').trimEnd();
  const lines = [`Model: "${modelName}"`, '_'.repeat(width), format(header), '='.repeat(width)];
  cells.forEach((line, index) => {
    lines.push(format(line));
    lines.push(index === cells.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  if (cells.length === 0) lines.push('='.repeat(width));
  lines.push(
    `Total params: ${formatCount(summary.totalParams)}`,
    `Trainable params: ${formatCount(summary.trainableParams)}`,
    `Non-trainable params: ${formatCount(summary.nonTrainableParams)}`,
    '_'.repeat(width),
  );
  return lines.join('\n');
}
