// tsc copies package.json into dist beside the code, so this works from source and from a build.
import pkg from '../package.json';

export const VERSION: string = pkg.version;
