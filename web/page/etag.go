package page

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// etagger makes a page's ETag from what the page shows rather than from
// its markup: the status page's rows enter by the bytes each shows (the
// row fingerprinter's, not the HTML around them), so the same page has
// the same ETag on every replica and after a restart. What it is fed must name
// the page whole: any value shown that it is not fed would leave a
// changed page with its old ETag.
type etagger struct {
	h   hash.Hash
	buf []byte
}

func newEtagger(version string) *etagger {
	e := &etagger{h: sha256.New()}
	e.str(version)
	return e
}

// str feeds s, length first, so that no two sequences of strings feed
// the same bytes.
func (e *etagger) str(s string) { e.bytes([]byte(s)) }

// bytes feeds b, length first, like str.
func (e *etagger) bytes(b []byte) {
	e.buf = binary.AppendUvarint(e.buf[:0], uint64(len(b)))
	e.h.Write(e.buf)
	e.h.Write(b)
}

func (e *etagger) strs(ss ...string) {
	for _, s := range ss {
		e.str(s)
	}
}

func (e *etagger) word(v uint64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf[:0], v)
	e.h.Write(e.buf)
}

func (e *etagger) etag() string {
	sum := e.h.Sum(nil)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}
