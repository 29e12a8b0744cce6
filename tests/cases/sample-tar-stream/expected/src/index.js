'use strict';

const { greet } = require('./lib/greet');

console.log(greet(process.argv[2] || 'world'));
