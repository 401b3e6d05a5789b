#!/usr/bin/env node
// Runs the TypeScript CLI straight from source (tsx's loader), so `npx plw` works
// right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
