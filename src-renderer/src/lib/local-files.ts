declare global {
  interface Window {
    /** Desktop preload only: the path of a File dropped from the OS. */
    keydeskPathForFile?: (file: File) => string;
  }
}

export interface DroppedPaths {
  files: string[];
  folders: string[];
}

/** Paths of files and folders dropped from the OS, or undefined where the page cannot learn them (browser mode). */
export function droppedPaths(data: DataTransfer): DroppedPaths | undefined {
  const pathFor = window.keydeskPathForFile;
  if (!pathFor) return undefined;
  const dropped: DroppedPaths = { files: [], folders: [] };
  for (const item of data.items) {
    const file = item.kind === 'file' ? item.getAsFile() : null;
    if (!file) continue;
    const path = pathFor(file);
    if (!path) continue;
    if (item.webkitGetAsEntry()?.isDirectory) dropped.folders.push(path);
    else dropped.files.push(path);
  }
  return dropped;
}
