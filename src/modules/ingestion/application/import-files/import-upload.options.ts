import { tmpdir } from 'node:os';
import { MulterModuleOptions } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { v7 as uuidv7 } from 'uuid';

/**
 * multer for POST /imports: the file goes to the OS temp dir under a name of ours (never the
 * client's), at most `maxFileMb`, one file and a few small fields; too big -> 413 PAYLOAD_TOO_LARGE.
 * The import deletes the file when it is done (or refused).
 */
export function importUploadOptions(maxFileMb = 1024): MulterModuleOptions {
  return {
    storage: diskStorage({ destination: tmpdir(), filename: (_req, _file, cb) => cb(null, `convo-import-${uuidv7()}`) }),
    limits: { fileSize: maxFileMb * 1024 * 1024, files: 1, fields: 10, fieldSize: 64 * 1024 },
  };
}
