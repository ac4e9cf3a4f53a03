/** The project file as the renderer starts it. */
import { projectSchema, type Project as ProjectFile } from '../../../src-shared/project';

/** An empty project with default data and training settings. */
export function emptyProject(): ProjectFile {
  return projectSchema.parse({ version: 1, layers: [] });
}
