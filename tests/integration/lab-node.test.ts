import { defineSemanticsSuite } from './lab-semantics.shared.ts';

defineSemanticsSuite('node');
