// The ApplicationSet template renderer the offline expander runs as WebAssembly (GOOS=wasip1,
// built as a reactor with -buildmode=c-shared): Go's own text/template, Sprig and fasttemplate, so
// a preview renders exactly what Argo CD's ApplicationSet controller renders.
//
// Calling convention: the host asks for an input buffer with `alloc(n)`, writes a JSON request
// there and calls `render()`, which returns the JSON response's address (high 32 bits) and length
// (low 32 bits). The response stays valid until the next call.
package main

import "unsafe"

var input, output []byte

//go:wasmexport alloc
func alloc(n uint32) uint32 {
	input = make([]byte, n)
	output = nil
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(input))))
}

//go:wasmexport render
func render() uint64 {
	output = handle(input)
	input = nil
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(output))))<<32 | uint64(len(output))
}

func main() {}
