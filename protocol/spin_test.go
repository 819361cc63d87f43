package protocol_test

import (
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/protocol"
)

// A polling reader delivers what was written, waits on the poller when the
// pipe stays empty, and ends with io.EOF when the writer closes.
func TestPollingReader(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	got := make(chan []byte)
	go func() {
		b, err := io.ReadAll(protocol.NewReader(r))
		assert.NoError(t, err)
		got <- b
	}()
	for _, s := range []string{"one\n", "two\n", "three\n"} {
		_, err := w.WriteString(s)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, "one\ntwo\nthree\n", string(<-got))
}
