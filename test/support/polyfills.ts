// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks: the product's own
// polyfill (also loaded by the rehearsal) is installed before every test file.
import '../../src/local/promise-with-resolvers.js';
