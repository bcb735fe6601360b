export { freePort } from './free-port.js';
export { stackEndpoints, type StackEndpoints } from './stack-endpoints.js';
export { uniqueName } from './unique-name.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { rejection } from './rejection.js';
