package protocol_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/protocol/protocoltest"
	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/sim"
)

var adapter string // the built reference adapter

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "simadapter")
	if err != nil {
		panic(err)
	}
	adapter = filepath.Join(dir, "simadapter")
	if out, err := exec.Command("go", "build", "-o", adapter, "../cmd/simadapter").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestLibraryThroughTheAdapter(t *testing.T) {
	all, err := scenarios.LoadAll(scenarios.Library(), ".")
	require.NoError(t, err)
	if testing.Short() {
		all = all[:10]
	}
	factory := protocol.Factory(protocol.Options{Command: adapter})
	for _, s := range all {
		res, err := scenarios.Run(s, scenarios.Options{Factory: factory})
		require.NoError(t, err)
		for _, f := range res.Failures {
			t.Errorf("%s: %s", s.Name, f)
		}
	}
}

func TestMutantThroughTheAdapterIsCaught(t *testing.T) {
	factory := protocol.Factory(protocol.Options{Command: adapter + " -mutant cancel-previous-without-cancel"})
	err := properties.Check(factory, properties.Options{Cases: 20})
	var f *properties.Failure
	require.True(t, errors.As(err, &f), "%v", err)
	assert.Equal(t, "S2", f.Invariant)
}

func TestReferenceThroughTheAdapterPassesTheSuite(t *testing.T) {
	cases := 100
	if testing.Short() {
		cases = 20
	}
	require.NoError(t, properties.Check(protocol.Factory(protocol.Options{Command: adapter}), properties.Options{Cases: cases}))
}

// A program that breaks the protocol ends the run with a verdict naming
// what it did, never a hang.
// TestBrokenPrograms: each way a program can break the protocol ends the run
// with a verdict naming it. Only the hang needs a short watchdog; the others
// keep the default, so a loaded machine cannot turn a bad line into a
// time-out.
func TestBrokenPrograms(t *testing.T) {
	for _, tc := range []struct {
		name, program, want string
		timeout             time.Duration
	}{
		{"not json", `read l; echo 'hello there'`, "stdout line 1: not a JSON message", 0},
		{"early exit", `exit 3`, "the program exited", 0},
		{"exit mid-request", `read l; exit 4`, "the program exited while handling init (id 1) (exit status 4)", 0},
		{"unknown type", `read l; echo '{"id": 1, "type": "frobnicate"}'`, `unknown message type "frobnicate"`, 0},
		{"reply to nothing", `read l; echo '{"reply_to": 99, "ok": true}'`, "a reply to 99, but the request in flight is 1", 0},
		{"old protocol", `read l; echo '{"reply_to": 1, "ok": true, "result": {"name": "x", "version": "1", "protocol": 0}}'`, "speaks protocol 0, the harness 1", 0},
		{"bad call", `read l; echo '{"id": 1, "type": "call", "seam": "timers.arm"}'`, "timers.arm call without timer", 0},
		{"terminate without execution", `read l; echo '{"id": 1, "type": "call", "seam": "engine.terminate"}'`, "engine.terminate call without execution", 0},
		{"hang", `read l; exec sleep 30`, "no answer to init", 300 * time.Millisecond},
		{"stderr", `echo oops >&2; exit 1`, "stderr: oops", 0},
		{"unknown profile", `read l; echo '{"reply_to": 1, "ok": true, "result": {"name": "x", "version": "1", "protocol": 1, "profile": {"name": "quartz"}}}'`, `init: profile: unknown profile "quartz"`, 0},
		{"profile wider than its base", `read l; echo '{"reply_to": 1, "ok": true, "result": {"name": "x", "version": "1", "protocol": 1, "profile": {"name": "robfig-cron-v3", "overlaps": ["buffer_one"]}}}'`,
			`init: profile: cannot narrow the profile: robfig-cron-v3 offers no overlap policy "buffer_one"`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := sim.New(sim.Config{Factory: protocol.Factory(protocol.Options{Command: tc.program, Timeout: tc.timeout})})
			if err == nil {
				err = w.Run(sim.DefaultStart.Add(time.Minute))
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, protocol.ErrProtocol)
			assert.ErrorIs(t, err, sim.ErrFatal)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestDeclaredProfile: a program's init reply names its profile, narrowed to
// what it implements; the harness judges and generates within it.
func TestDeclaredProfile(t *testing.T) {
	for _, tc := range []struct {
		decl     string
		name     string
		overlaps []evaluator.OverlapPolicy
	}{
		{``, "schedsim", evaluator.OverlapPolicies()},
		{`, "profile": {"name": "schedsim", "overlaps": ["skip", "allow_all"], "faults": ["crash"]}`, "schedsim", []evaluator.OverlapPolicy{evaluator.OverlapSkip, evaluator.OverlapAllowAll}},
		{`, "profile": {"name": "gocron-v2"}`, "gocron-v2", profile.GocronV2().OverlapPolicies()},
	} {
		// It answers init and recover, then waits.
		program := `read l; echo '{"reply_to": 1, "ok": true, "result": {"name": "x", "version": "1", "protocol": 1` + tc.decl + `}}'; read l; echo '{"reply_to": 2, "ok": true}'; read l`
		w, err := sim.New(sim.Config{Factory: protocol.Factory(protocol.Options{Command: program})})
		require.NoError(t, err, tc.decl)
		got := w.Process().(*protocol.Process).Profile()
		w.Close()
		assert.Equal(t, tc.name, got.Name, tc.decl)
		assert.Equal(t, tc.overlaps, got.OverlapPolicies(), tc.decl)
	}
}

func TestErrorsKeepTheirMeaning(t *testing.T) {
	e := &protocol.Error{Code: protocol.CodeExists, Message: `schedule already exists: "s"`}
	assert.ErrorIs(t, e, evaluator.ErrScheduleExists)
	assert.Equal(t, protocol.CodeExists, protocol.CodeOf(e))
	assert.Equal(t, protocol.CodeInvalid, protocol.CodeOf(evaluator.ErrNeverFires))
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"id":1,"type":"init","protocol":1}`, `{"reply_to":3,"ok":true,"result":{}}`,
		`{"id":2,"type":"call","seam":"log.append","events":[{"seq":1,"type":"created","schedule_id":"s","at":"2026-06-07T00:00:00Z"}]}`,
		`{"id":2,"type":"call","seam":"engine.start","start":{"workflow_id":"w","schedule_id":"s","nominal":"2026-06-07T00:01:00Z","workflow_type":"t"}}`,
		`{"reply_to":1,"ok":false,"error":{"code":"definite","message":"x"}}`, `[]`, `null`, `{"id":-1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := protocol.Decode(b)
		if err != nil {
			return
		}
		if m.ReplyTo == 0 && m.Type == "" {
			t.Fatalf("accepted a message that is neither request, call nor reply: %s", b)
		}
		if strings.Contains(string(b), "\n") && m.ID == 0 && m.ReplyTo == 0 {
			t.Fatal("impossible")
		}
	})
}

// TestTrafficMatchesTheSchema records the traffic of real sessions (crashes
// and injected errors included) and validates every line against
// docs/protocol.schema.json.
func TestTrafficMatchesTheSchema(t *testing.T) {
	command, in, out := protocoltest.Record(t.TempDir(), adapter)
	factory := protocol.Factory(protocol.Options{Command: command})
	for _, name := range []string{"faults/crash-in-recovery.yaml", "faults/ambiguous-appends.yaml", "lifecycle/pause-drops-buffered-resume-reanchors.yaml"} {
		s, err := scenarios.LoadFS(scenarios.Library(), name)
		require.NoError(t, err)
		res, err := scenarios.Run(s, scenarios.Options{Factory: factory})
		require.NoError(t, err)
		require.True(t, res.Passed(), "%v", res.Failures)
	}
	assert.Greater(t, protocoltest.Validate(t, "../docs/protocol.schema.json", in, out), 100)
}

func TestAProgramThatLoopsGetsAVerdict(t *testing.T) {
	// Answers init, then calls log.read for ever while handling recover.
	loop := `read l; echo '{"reply_to": 1, "ok": true, "result": {"name": "loop", "version": "1", "protocol": 1}}'; read l; ` +
		`i=1; while :; do echo "{\"id\": $i, \"type\": \"call\", \"seam\": \"log.read\"}"; read r; i=$((i+1)); done`
	w, err := sim.New(sim.Config{Factory: protocol.Factory(protocol.Options{Command: loop, MaxCalls: 2000})})
	if err == nil {
		err = w.Run(sim.DefaultStart.Add(time.Minute))
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 2000 seam calls while handling recover")
}

func TestAnIncarnationHasAByteBudget(t *testing.T) {
	s, err := scenarios.LoadFS(scenarios.Library(), "outage/one-week-all.yaml")
	require.NoError(t, err)
	w, err := sim.New(s.Config(protocol.Factory(protocol.Options{Command: adapter, MaxBytes: 64 << 10})))
	require.NoError(t, err)
	defer w.Close()
	err = w.Run(s.Until)
	require.ErrorIs(t, err, protocol.ErrProtocol)
	assert.Contains(t, err.Error(), "more than 65536 bytes exchanged by one incarnation")
}
