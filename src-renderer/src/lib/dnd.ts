import { SHADOW_ITEM_MARKER_PROPERTY_NAME } from 'svelte-dnd-action';

/** What the palette and the canvas pass to svelte-dnd-action: the id, the layer kind, and a palette entry's options. */
export interface DndItem {
  id: string;
  kind: string;
  options?: Record<string, unknown>;
}

/** Palette and canvas share one drag type, so layers move from one to the other. */
export const DND_TYPE = 'layers';
export const FLIP_MS = 150;

/** Ids the palette gives its items; anything else is a layer already on the canvas. */
export function isPaletteId(id: string): boolean {
  return id.startsWith('palette:');
}

/** The placeholder svelte-dnd-action puts where a dragged item would land. */
export function isShadowItem(item: DndItem): boolean {
  return (item as unknown as Record<string, unknown>)[SHADOW_ITEM_MARKER_PROPERTY_NAME] === true;
}

/** The item the placeholder stood for, without the library's marker. */
export function withoutShadowMark(item: DndItem): DndItem {
  const { [SHADOW_ITEM_MARKER_PROPERTY_NAME]: _marker, ...rest } = item as unknown as Record<string, unknown>;
  return rest as unknown as DndItem;
}
