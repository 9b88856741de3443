package auth

import (
	"net/http"
	"slices"
	"strings"
)

// DefaultHeaders are the headers real clients put the security key in, in
// the order they are tried: user_key (the PIA RBA specifications),
// OSS-API-KEY (OSS 1.1 clients) and Authorization with the Bearer scheme.
var DefaultHeaders = []string{"user_key", "OSS-API-KEY", "Authorization"}

// MaxTokenLength bounds what is handed to the JWT parser. The keys this
// package issues are well under 2 KiB even with a long method list.
const MaxTokenLength = 8 << 10

// Extract finds the security key in the first of the named headers that
// carries one and says which header that was. Header names match in any
// case, including names Go does not canonicalise the way a client spelled
// them (user_key). Authorization counts only with the Bearer scheme (any
// case), so Basic credentials meant for someone else are passed over.
func Extract(h http.Header, names []string) (token, header string, ok bool) {
	for _, name := range names {
		v := headerValue(h, name)
		if strings.EqualFold(name, "Authorization") {
			scheme, rest, found := strings.Cut(v, " ")
			if !found || !strings.EqualFold(scheme, "Bearer") {
				continue
			}
			v = strings.TrimSpace(rest)
		}
		if v != "" {
			return v, name, true
		}
	}
	return "", "", false
}

// headerValue is the first non-empty value of the header, trimmed. Maps
// built by net/http hold canonical keys (User_key, Oss-Api-Key) and Get
// finds them; a map built by hand or by other middleware may hold the key
// as written (user_key), which only a case-insensitive scan finds.
func headerValue(h http.Header, name string) string {
	if v := firstValue(h.Values(name)); v != "" {
		return v
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			if v := firstValue(vs); v != "" {
				return v
			}
		}
	}
	return ""
}

func firstValue(vs []string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// Strip removes the security key from the named headers, so it does not
// travel on to the upstream. Authorization goes only when it carries a
// Bearer key; other schemes belong to someone else.
func Strip(h http.Header, names []string) {
	// One pass over the header, whatever the number of names: the map is
	// the larger of the two.
	for k, vs := range h {
		if !slices.ContainsFunc(names, func(name string) bool { return strings.EqualFold(k, name) }) {
			continue
		}
		if strings.EqualFold(k, "Authorization") {
			kept := vs[:0:0]
			for _, v := range vs {
				if scheme, _, _ := strings.Cut(strings.TrimSpace(v), " "); !strings.EqualFold(scheme, "Bearer") {
					kept = append(kept, v)
				}
			}
			if len(kept) > 0 {
				h[k] = kept
				continue
			}
		}
		delete(h, k)
	}
}
