#!/usr/bin/env node
// The package bin: runs the CLI's TypeScript source through tsx (internal packages have no build step).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
