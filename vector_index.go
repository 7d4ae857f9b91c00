package libsql

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm/schema"
)

// Vector indexes are declared on a vector field with GORM's index tag and
// type:vector; libSQL's index settings go in the same tag, as keys of
// their own or in GORM's option key:
//
//	Embedding libsql.Vector `gorm:"size:384;index:idx_docs_embedding,type:vector"`
//	Embedding libsql.Vector `gorm:"size:384;index:idx_docs_embedding,type:vector,metric:l2,compress_neighbors:float8,max_neighbors:20"`
//	Embedding libsql.Vector `gorm:"size:384;index:idx_docs_embedding,type:vector,option:metric=l2 max_neighbors=20"`
//
// AutoMigrate and CreateIndex then run
//
//	CREATE INDEX `idx_docs_embedding` ON `docs`(libsql_vector_idx(`embedding`, 'metric=l2', 'max_neighbors=20'))

// vectorIndexParams are libSQL's index settings (VECTOR_PARAM_NAMES) in the
// order they are written, with their allowed words (nil: a number).
var vectorIndexParams = []struct {
	name  string
	words []string
	float bool
}{
	{name: "type", words: []string{"diskann"}},
	{name: "metric", words: []string{"cosine", "l2"}},
	{name: "compress_neighbors", words: []string{"float1bit", "float8", "float16", "floatb16", "float32"}},
	{name: "max_neighbors"},
	{name: "alpha", float: true},
	{name: "search_l"},
	{name: "insert_l"},
}

// isVectorIndex reports whether a model index is declared with type:vector.
func isVectorIndex(idx *schema.Index) bool { return strings.EqualFold(idx.Type, "vector") }

// vectorIndexOptions collects and validates the libSQL settings of a
// vector index from its field's tag and its option key, in the order of
// vectorIndexParams.
func vectorIndexOptions(idx *schema.Index) ([]string, error) {
	if idx.Class != "" {
		return nil, fmt.Errorf("libsql: vector index %q cannot be %s", idx.Name, idx.Class)
	}
	if len(idx.Fields) != 1 || idx.Fields[0].Field == nil || idx.Fields[0].Expression != "" {
		return nil, fmt.Errorf("libsql: vector index %q must be on exactly one vector column", idx.Name)
	}
	given := map[string]string{}
	set := func(name, value string) error {
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if prev, ok := given[name]; ok && prev != value {
			return fmt.Errorf("libsql: vector index %q sets %s twice (%q and %q)", idx.Name, name, prev, value)
		}
		given[name] = value
		return nil
	}
	for _, opt := range strings.Fields(idx.Option) {
		name, value, ok := strings.Cut(opt, "=")
		if !ok {
			return nil, fmt.Errorf("libsql: vector index %q: option %q is not name=value", idx.Name, opt)
		}
		if err := set(name, value); err != nil {
			return nil, err
		}
	}
	for key, value := range vectorIndexTagSettings(idx) {
		for _, p := range vectorIndexParams {
			if p.name != "type" && strings.EqualFold(key, p.name) {
				if err := set(p.name, value); err != nil {
					return nil, err
				}
			}
		}
	}
	var opts []string
	for _, p := range vectorIndexParams {
		value, ok := given[p.name]
		if !ok {
			continue
		}
		delete(given, p.name)
		if err := checkVectorIndexParam(p.name, value, p.words, p.float); err != nil {
			return nil, fmt.Errorf("libsql: vector index %q: %w", idx.Name, err)
		}
		opts = append(opts, p.name+"="+strings.ToLower(value))
	}
	for name := range given {
		var names []string
		for _, p := range vectorIndexParams {
			names = append(names, p.name)
		}
		return nil, fmt.Errorf("libsql: vector index %q: unknown setting %q (libSQL has %s)", idx.Name, name, strings.Join(names, ", "))
	}
	return opts, nil
}

func checkVectorIndexParam(name, value string, words []string, float bool) error {
	switch {
	case words != nil:
		for _, w := range words {
			if strings.EqualFold(value, w) {
				return nil
			}
		}
		return fmt.Errorf("%s=%s: want one of %s", name, value, strings.Join(words, ", "))
	case float:
		if f, err := strconv.ParseFloat(value, 64); err != nil || !(f > 0) || f > 1e6 {
			return fmt.Errorf("%s=%s: want a positive number", name, value)
		}
	default:
		if n, err := strconv.ParseUint(value, 10, 31); err != nil || n == 0 {
			return fmt.Errorf("%s=%s: want a positive integer", name, value)
		}
	}
	return nil
}

// vectorIndexTagSettings returns the settings of the field's index tag
// entry that declares idx: the entry with idx's name, or the only unnamed
// vector entry.
func vectorIndexTagSettings(idx *schema.Index) map[string]string {
	field := idx.Fields[0].Field
	var unnamed []map[string]string
	for _, entry := range strings.Split(field.Tag.Get("gorm"), ";") {
		key, value, _ := strings.Cut(entry, ":")
		key = strings.ToUpper(strings.TrimSpace(key))
		if key != "INDEX" && key != "UNIQUEINDEX" {
			continue
		}
		name, rest, _ := strings.Cut(value, ",")
		settings := schema.ParseTagSetting(rest, ",")
		if !strings.EqualFold(settings["TYPE"], "vector") {
			continue
		}
		if name == idx.Name {
			return settings
		}
		if name == "" {
			unnamed = append(unnamed, settings)
		}
	}
	if len(unnamed) == 1 {
		return unnamed[0]
	}
	return nil
}

// vectorIndexInfo is what a vector index's DDL says.
type vectorIndexInfo struct {
	column  string
	options []string
}

// parseVectorIndexDDL reads "CREATE INDEX name ON table(libsql_vector_idx(
// column, 'option', ...))"; ok is false for other indexes.
func parseVectorIndexDDL(ddl string) (info vectorIndexInfo, ok bool) {
	toks := sqlTokens(ddl)
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].word != "ON" {
			continue
		}
		// ON table ( ... ): the group after the table name
		for j := i + 1; j < len(toks); j++ {
			g := toks[j].text
			if !strings.HasPrefix(g, "(") {
				continue
			}
			inner := sqlTokens(strings.TrimSuffix(g[1:], ")"))
			if len(inner) < 2 || inner[0].word != "LIBSQL_VECTOR_IDX" || !strings.HasPrefix(inner[1].text, "(") {
				return vectorIndexInfo{}, false
			}
			args := sqlTokens(strings.TrimSuffix(inner[1].text[1:], ")"))
			for k, a := range args {
				switch {
				case a.text == ",":
				case k == 0:
					info.column = unquoteIdent(a.text)
				case strings.HasPrefix(a.text, "'"):
					info.options = append(info.options, strings.ReplaceAll(strings.Trim(a.text, "'"), "''", "'"))
				}
			}
			return info, info.column != ""
		}
	}
	return vectorIndexInfo{}, false
}

// vectorIndexOption is the Option of a vector index in GetIndexes:
// "vector", then its settings, e.g. "vector metric=l2 max_neighbors=20".
func vectorIndexOption(info vectorIndexInfo) string {
	return strings.Join(append([]string{"vector"}, info.options...), " ")
}
