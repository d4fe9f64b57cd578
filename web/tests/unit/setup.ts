// async-validator (used by Element Plus forms) logs every failed rule to the console under a DOM;
// the tests check failures through the UI instead.
;(globalThis as { ASYNC_VALIDATOR_NO_WARNING?: number }).ASYNC_VALIDATOR_NO_WARNING = 1
