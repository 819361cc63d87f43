package fakes

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The queues against slices: the same operations, the same contents.
func TestFIFOAndMinHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var q fifo[int]
	var want []int
	h := minHeap[int]{less: func(a, b int) bool { return a < b }}
	var all []int
	for i := 0; i < 5000; i++ {
		switch x := r.IntN(10); {
		case x < 5:
			q.push(i)
			want = append(want, i)
			v := r.IntN(1000)
			h.push(v)
			all = append(all, v)
		case x < 8 && q.len() > 0:
			k := 0
			if r.IntN(4) == 0 {
				k = r.IntN(q.len())
			}
			q.remove(k)
			want = slices.Delete(want, k, k+1)
		case len(h.items) > 0:
			slices.Sort(all)
			if got := h.pop(); got != all[0] {
				t.Fatalf("pop %d, want %d", got, all[0])
			}
			all = all[1:]
		}
		if !slices.Equal(q.live(), want) && !(len(want) == 0 && q.len() == 0) {
			t.Fatalf("step %d: fifo %v, want %v", i, q.live(), want)
		}
	}
}
