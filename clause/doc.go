// Package clause builds libSQL vector searches for GORM: ordering by the
// distance to a query vector, selecting that distance, and nearest-neighbour
// queries through a vector index.
//
//	import vclause "github.com/gorm-libsql/libsql/clause"
//
//	// exact: every row's distance, the 10 smallest
//	db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q}).Limit(10).Find(&docs)
//
//	// the distance in a field (`gorm:"->;-:migration"`)
//	db.Select("*, ?", vclause.Distance{Column: "embedding", Vector: q}.As("distance")).Find(&docs)
//
//	// approximate: the 10 nearest through the vector index, ranked by it
//	db.Scopes(vclause.Nearest("idx_docs_embedding", q, 10)).Where("lang = ?", "en").Preload("Author").Find(&docs)
//
// The query vector is always a bound parameter, a blob in libSQL's binary
// format: a []float32 or []float64, or a driver.Valuer that produces a
// vector blob such as libsql.Vector and the other vector types of
// github.com/gorm-libsql/libsql. When the model declares the column (or the
// index's column), the query vector is checked against its dimension and
// converted to its precision in SQL (vector16(?) for an F16_BLOB column,
// say), so a []float32 works with every column type.
package clause
