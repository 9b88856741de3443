package validate

import (
	"sort"
	"strings"

	"github.com/caddy-pia/caddy-pia/internal/pia"
)

// node is one field of a schema's Fields index, arranged as a tree so a
// walk over a payload looks members up by name instead of building the
// dotted path of every value.
type node struct {
	info     *pia.FieldInfo
	children map[string]*node
	// declared lists the children that have facts, by name: walking them
	// and looking each up in a payload's object is cheaper than ranging
	// over the object's map.
	declared []declared
}

type declared struct {
	name string
	node *node
}

// buildTree arranges dotted paths (dataNIB.data_proyek.kbli) as a tree.
// Array members hang under the array's node, as the paths put them.
func buildTree(fields pia.FieldIndex) *node {
	root := &node{}
	for path, info := range fields {
		n := root
		for _, seg := range strings.Split(path, ".") {
			if n.children == nil {
				n.children = map[string]*node{}
			}
			c := n.children[seg]
			if c == nil {
				c = &node{}
				n.children[seg] = c
			}
			n = c
		}
		n.info = info
	}
	root.index()
	return root
}

func (n *node) index() {
	for name, c := range n.children {
		if c.info != nil {
			n.declared = append(n.declared, declared{name: name, node: c})
		}
		c.index()
	}
	sort.Slice(n.declared, func(i, j int) bool { return n.declared[i].name < n.declared[j].name })
}

// at returns the facts of the field an instance location points to, or
// nil when the schema's index does not declare it. Index segments of
// arrays are skipped: the index addresses members through the array. item
// reports a location that ends on such an index: a member of the array,
// not the array.
func (n *node) at(loc []string) (info *pia.FieldInfo, item bool) {
	cur := n
	skipIndex := false
	for _, seg := range loc {
		if skipIndex {
			skipIndex = false
			item = true
			continue
		}
		c := cur.children[seg]
		if c == nil {
			return nil, false
		}
		cur = c
		item = false
		skipIndex = cur.info != nil && cur.info.Type == pia.TypeArray
	}
	return cur.info, item
}
