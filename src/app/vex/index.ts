/** The VEX use cases on files, what `custody vex …` calls: validate, read, convert. */
export {
  type ConvertedVexFile,
  type ConvertVexOptions,
  convertVexFile,
  readVexFile,
  type VexFileOptions,
  validateVexFile,
} from './files.js';
