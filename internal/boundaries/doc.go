// Package boundaries holds no code: its tests guard the module's boundaries
// (what the evaluator may import, what the deterministic packages may call).
package boundaries
