/** The files and folders of an OS drop, as File objects: the preload learns their paths, the page never does. */
export function droppedFiles(data: DataTransfer): File[] {
  return [...data.items].flatMap((item) => (item.kind === 'file' ? (item.getAsFile() ?? []) : []));
}
