// Where an interrupted replay continues: the last stream sequence whose events the target has
// taken, kept in a file (written whole, then renamed, so a crash never leaves half a checkpoint).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Checkpoint {
  range: string;
  /** Every event up to and including this sequence is done. */
  lastSeq: number;
  /** The stream's last sequence when the run started: the end of the range. */
  endSeq: number;
  scanned: number;
  updatedAt: string;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export async function loadCheckpoint(file: string, range: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(`no checkpoint to resume at ${file}`, { cause: error });
  }
  const checkpoint = JSON.parse(text) as Checkpoint;
  if (checkpoint.range !== range)
    throw new CheckpointError(
      `the checkpoint at ${file} belongs to another replay (${checkpoint.range}); start without --resume or give --checkpoint`,
    );
  return checkpoint;
}

export async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(tmp, file);
}

export async function removeCheckpoint(file: string): Promise<void> {
  await rm(file, { force: true });
}
