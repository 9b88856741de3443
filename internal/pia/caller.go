package pia

// DefaultVersion is the PIA version an upstream speaks unless told, and the
// one assumed for OSS when no oss upstream says otherwise.
var DefaultVersion = Version{4, 3, 20}

// StatedVersion reads a version a client states (in its key or in
// X-PIA-Version): a snapshot of c, or one of the document history mapped to
// the snapshot holding its changes (HistoryVersion). ok is false when c
// has no schemas for it.
func (c *Catalog) StatedVersion(s string) (v Version, ok bool) {
	v, err := ParseVersion(s)
	if err != nil {
		return Version{}, false
	}
	if c.Known(v) {
		return v, true
	}
	if snap, ok := HistoryVersion(v); ok && c.Known(snap) {
		return snap, true
	}
	return Version{}, false
}

// CallerVersion picks the caller's PIA version: the version its key claims,
// then the one its X-PIA-Version header states, then the route's default
// (DefaultCallerVersion). A claim c does not know is passed over; a header
// it does not know is refused (unknownHeader), since the caller asked for
// a version the gateway cannot speak.
func (c *Catalog) CallerVersion(claim, header string, routeDefault Version) (v Version, unknownHeader bool) {
	if claim != "" {
		if v, ok := c.StatedVersion(claim); ok {
			return v, false
		}
	}
	if header != "" {
		v, ok := c.StatedVersion(header)
		return v, !ok
	}
	return routeDefault, false
}

// DefaultCallerVersion is the version assumed for a caller whose key and
// X-PIA-Version say nothing. For a method the K/L/D serves the caller is
// OSS, so it is the version OSS speaks (oss, the oss upstream's, else
// DefaultVersion); for a method OSS serves it is the upstream's own
// (upstream, zero when the method has none), so an unknown client is passed
// through unchanged.
func DefaultCallerVersion(side Side, oss, upstream Version) Version {
	if side == SideKLD {
		if !oss.IsZero() {
			return oss
		}
		return DefaultVersion
	}
	return upstream
}
