// Package jsonbody reads JSON as the gateway needs it: Decode and
// DecodeWith (the strict decoder, with the member-name, UTF-8 and size
// rules a body from the network needs), Valid (encoding/json.Valid's
// verdict without allocating), the byte scanners ScanString, SkipSpace,
// ScanStringBody and ScanNumber for the readers that build no tree,
// ParseNumber, the one JSON number grammar every number reader of the
// gateway uses, Encode and AppendJSON (a tree written back, in
// encoding/json's bytes without its HTML escaping), and the helpers of a
// decoded tree and its JSON pointers (CloneTree, Lookup, Pointer,
// PointerSegments).
//
// It knows nothing of the PIA (internal/pia holds the protocol). The name
// says what it reads, request and response bodies first (the catalog and
// the rule files are read with it too), and does not clash with
// encoding/json, which its callers import beside it for json.Number and
// Marshal.
package jsonbody
