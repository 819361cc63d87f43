// Package mutate plants simple, mechanical mutations in Go source files: the
// automatic half of schedsim's mutation score (simrun mutants --auto). Each
// mutation changes one place of one file; Apply returns the mutated source,
// never touching the file on disk.
//
// The kinds, chosen for an evaluator whose decisions are mostly comparisons
// of times and calls that record or arm:
//
//   - flip: a comparison operator to its boundary twin (< and <=, > and >=),
//     == and != to each other; a time comparison t.Before(u) to !u.After(t)
//     (its inclusive twin), t.After(u) to !u.Before(t), t.Equal(u) negated;
//   - cond: an if condition replaced by true, then by false;
//   - drop: a call statement removed, or, in `if err := f(); err != nil`, the
//     call replaced by nil (the step "succeeds" without happening);
//   - swap: two consecutive call statements exchanged.
//
// Code that only exists for the built-in mutants (a branch whose condition
// mentions mut.Has) is left alone: mutating it changes nothing the suite can
// see.
package mutate

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"
)

// Mutation is one planted change.
type Mutation struct {
	File string
	Line int
	Kind string // flip, cond, drop, swap
	What string // e.g. "< → <=", "if … → true", "drop ev.arm(ctx, en)"
	id   int    // its index among the file's mutations
}

func (m Mutation) String() string { return fmt.Sprintf("%s:%d: %s %s", m.File, m.Line, m.Kind, m.What) }

// Find lists the mutations of a file's source.
func Find(file string, src []byte) ([]Mutation, error) {
	var out []Mutation
	_, err := walk(file, src, -1, func(m Mutation) { out = append(out, m) })
	return out, err
}

// Apply returns the source of file with mutation m planted.
func Apply(src []byte, m Mutation) ([]byte, error) {
	return walk(m.File, src, m.id, nil)
}

// walk visits every mutation site of the file in a fixed order; for the
// site numbered apply it changes the tree and returns the new source.
func walk(file string, src []byte, apply int, found func(Mutation)) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(src), "\n")
	skip := func(n ast.Node) bool {
		l := fset.Position(n.Pos()).Line
		return l-1 < len(lines) && strings.Contains(lines[l-1], "mut.Has")
	}
	n := 0
	site := func(node ast.Node, kind, what string, change func()) bool {
		if skip(node) {
			return false
		}
		id := n
		n++
		if found != nil {
			found(Mutation{File: file, Line: fset.Position(node.Pos()).Line, Kind: kind, What: what, id: id})
		}
		if id == apply {
			change()
			return true
		}
		return false
	}
	done := false
	var visit func(ast.Node) bool
	visit = func(node ast.Node) bool {
		if done {
			return false
		}
		switch x := node.(type) {
		case *ast.FuncDecl:
			if x.Body == nil {
				return false
			}
		case *ast.CaseClause:
			for _, e := range x.List {
				if strings.Contains(text(fset, e), "mut.Has") {
					return false // only the built-in mutants run it
				}
			}
		case *ast.BinaryExpr:
			if twin, ok := flips[x.Op]; ok {
				op := x.Op
				done = site(x, "flip", fmt.Sprintf("%s → %s", op, twin), func() { x.Op = twin })
			}
		case *ast.CallExpr:
			done = timeFlip(x, site)
		case *ast.IfStmt:
			cond := x.Cond
			if strings.Contains(text(fset, cond), "mut.Has") {
				if x.Else != nil { // the else branch is ordinary code
					ast.Inspect(x.Else, func(n ast.Node) bool { return visit(n) })
				}
				return false
			}
			done = site(x, "cond", "if "+text(fset, cond)+" → true", func() { x.Cond = ast.NewIdent("true") }) ||
				site(x, "cond", "if "+text(fset, cond)+" → false", func() { x.Cond = ast.NewIdent("false") })
			if !done {
				done = dropInit(fset, x, site)
			}
		case *ast.BlockStmt:
			done = dropAndSwap(fset, x, site)
		}
		return !done
	}
	ast.Inspect(f, visit)
	if apply < 0 {
		return nil, nil
	}
	if !done {
		return nil, fmt.Errorf("mutate: %s has no mutation %d", file, apply)
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var flips = map[token.Token]token.Token{
	token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR,
	token.EQL: token.NEQ, token.NEQ: token.EQL,
}

// timeFlip turns a.Before(b) into !b.After(a) and back (the inclusive twin),
// and negates a.Equal(b): the boundary twins of time.Time's comparisons.
func timeFlip(call *ast.CallExpr, site func(ast.Node, string, string, func()) bool) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	switch name := sel.Sel.Name; name {
	case "Before", "After":
		twin := map[string]string{"Before": "After", "After": "Before"}[name]
		return site(call, "flip", fmt.Sprintf("a.%s(b) → !b.%s(a)", name, twin), func() {
			flipped := &ast.CallExpr{Fun: &ast.SelectorExpr{X: call.Args[0], Sel: ast.NewIdent(twin)}, Args: []ast.Expr{sel.X}}
			*call = boolCall(&ast.UnaryExpr{Op: token.NOT, X: flipped})
		})
	case "Equal":
		return site(call, "flip", "a.Equal(b) → !a.Equal(b)", func() {
			inner := *call
			*call = boolCall(&ast.UnaryExpr{Op: token.NOT, X: &inner})
		})
	}
	return false
}

// boolCall wraps e as a call, func() bool { return e }(), so that it can
// stand where the tree holds a call.
func boolCall(e ast.Expr) ast.CallExpr {
	typ := &ast.FuncType{Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: ast.NewIdent("bool")}}}}
	return ast.CallExpr{Fun: &ast.FuncLit{Type: typ, Body: &ast.BlockStmt{List: []ast.Stmt{&ast.ReturnStmt{Results: []ast.Expr{e}}}}}}
}

// dropInit replaces the call in `if err := f(...); err != nil` by nil.
func dropInit(fset *token.FileSet, x *ast.IfStmt, site func(ast.Node, string, string, func()) bool) bool {
	as, ok := x.Init.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 || len(as.Lhs) != 1 {
		return false
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok {
		return false
	}
	if id, ok := as.Lhs[0].(*ast.Ident); !ok || id.Name != "err" {
		return false
	}
	return site(call, "drop", "skip "+text(fset, call.Fun)+"(…) (nil error)", func() {
		as.Rhs[0] = &ast.CallExpr{Fun: ast.NewIdent("error"), Args: []ast.Expr{ast.NewIdent("nil")}}
	})
}

// dropAndSwap removes a call statement, or exchanges it with the next one.
func dropAndSwap(fset *token.FileSet, b *ast.BlockStmt, site func(ast.Node, string, string, func()) bool) bool {
	isCall := func(s ast.Stmt) bool {
		e, ok := s.(*ast.ExprStmt)
		if !ok {
			return false
		}
		_, ok = e.X.(*ast.CallExpr)
		return ok
	}
	for i, s := range b.List {
		if !isCall(s) {
			continue
		}
		if site(s, "drop", "drop "+text(fset, s.(*ast.ExprStmt).X.(*ast.CallExpr).Fun)+"(…)", func() {
			b.List = append(b.List[:i:i], b.List[i+1:]...)
		}) {
			return true
		}
		if i+1 < len(b.List) && isCall(b.List[i+1]) {
			if site(s, "swap", "swap with the next call", func() { b.List[i], b.List[i+1] = b.List[i+1], b.List[i] }) {
				return true
			}
		}
	}
	return false
}

func text(fset *token.FileSet, n ast.Node) string {
	var buf bytes.Buffer
	_ = format.Node(&buf, fset, n)
	s := strings.Join(strings.Fields(buf.String()), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
