package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSelfCheckPasses(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"selfcheck", "-hours", "2"}, &out, &errb)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	assert.Contains(t, out.String(), "all checks hold")
	assert.Contains(t, out.String(), "allow_all.all                   120", "every tick of 2h starts with allow_all/all")
}

func TestSelfCheckIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	run([]string{"selfcheck", "-hours", "1", "-v"}, &a, &a)
	run([]string{"selfcheck", "-v", "-hours", "1"}, &b, &b)
	assert.Equal(t, a.String(), b.String())
	for _, want := range []string{"start     skip.all @2026-06-07T00:01:00Z run=", "crash     crash at 2026-06-07T00:30:10Z", "00:55:10Z restart"} {
		assert.True(t, strings.Contains(a.String(), want), "the verbose output shows %q", want)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help"}, 0, "usage: simrun"},
		{[]string{"--help"}, 0, "usage: simrun"},
		{[]string{"selfcheck", "-h"}, 0, "usage: simrun"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"selfcheck", "-hours", "zero"}, 2, `invalid value "zero"`},
		{[]string{"selfcheck", "-hours", "0"}, 2, "-hours must be between 1 and 168"},
		{[]string{"selfcheck", "-hours", "169"}, 2, "-hours must be between 1 and 168, got 169"},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"selfcheck", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"run", "--update"}, 2, "--update rewrites files: give the scenario paths"},
		{[]string{"run", "no/such/dir"}, 2, "no/such/dir"},
		{[]string{"trace"}, 2, "trace needs exactly one scenario file, got 0"},
		{[]string{"trace", "a.yaml", "b.yaml"}, 2, "got 2"},
		{[]string{"run", "-h"}, 0, "usage: simrun"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		assert.Equal(t, tc.code, code, "%v", tc.args)
		assert.Contains(t, out.String()+errb.String(), tc.want, "%v", tc.args)
		if code == 2 {
			assert.True(t, strings.HasPrefix(errb.String(), "simrun: "), "%v: errors go to stderr", tc.args)
		}
	}
}
