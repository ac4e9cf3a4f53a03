/** The user's preferences, kept by the main side so the desktop app and web mode share them. */
import { z } from 'zod';

export const themeChoices = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof themeChoices)[number];

const theme = z.enum(themeChoices, { error: "one of 'system', 'light', 'dark'" });
const guideDismissed = z.boolean({ error: 'true or false' });

export const settingsSchema = z
  .object({
    /** Light, dark, or whatever the operating system uses. Default 'system'. */
    theme: theme.default('system'),
    /** The guided start was dismissed for good. Default false. */
    guideDismissed: guideDismissed.default(false),
  })
  .strict();

export type Settings = z.output<typeof settingsSchema>;

/** A change to some of the settings; the rest stay as they are (no defaults here, or they would overwrite them). */
export const settingsChangeSchema = z.object({ theme: theme.optional(), guideDismissed: guideDismissed.optional() }).strict();
