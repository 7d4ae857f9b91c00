package clause

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
	gclause "gorm.io/gorm/clause"
)

// NearestTable is the name Nearest gives its ranking, joined to the
// model's table; its columns are nearest_id (the rowid) and nearest_rank
// (1 for the nearest row). Select nearest.nearest_rank, or read it into a
// field `gorm:"column:nearest_rank;->;-:migration"` with Select("*").
const NearestTable = "nearest"

// Nearest returns a scope that finds the k approximate nearest neighbours
// of vector through the vector index named index (created with
// libsql_vector_idx, see the type:vector index tag), with libSQL's
// vector_top_k. The rows are joined back to the model by rowid and come in
// the index's ranking, nearest first:
//
//	db.Scopes(vclause.Nearest("idx_docs_embedding", q, 10)).Find(&docs)
//
// It composes with the rest of the query: Where filters the k neighbours
// (so fewer than k rows may remain; ask for more), Limit and Offset page
// them, Preload loads their associations, Count counts them and Select can
// add Distance. The ranking has no ties, so a later Order has no effect;
// to sort the neighbours otherwise, replace it with
// Order(clause.OrderByColumn{Column: ..., Reorder: true}).
//
// The query vector is checked against the index's column when the model
// declares the index (dimensions) and is converted to its precision.
// k must be at least 1. An index that does not exist or is not a vector
// index fails with ErrNoVectorIndex.
func Nearest(index string, vector any, k int) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		tx := db.Clauses(nearestJoin{TopK{Index: index, Vector: vector, K: k}}).
			Order(gclause.OrderByColumn{Column: gclause.Column{Table: NearestTable, Name: "nearest_rank"}})
		if _, wrapped := tx.Statement.ConnPool.(topKErrors); !wrapped && tx.Statement.ConnPool != nil {
			tx.Statement.ConnPool = topKErrors{ConnPool: tx.Statement.ConnPool, index: index}
		}
		return tx
	}
}

// nearestJoin adds "JOIN (TopK) AS nearest ON nearest.nearest_id =
// table.rowid" to the statement's FROM clause. It is not one of GORM's
// Joins, which would make GORM list the model's columns (read-only fields
// such as a Distance included) instead of selecting *. Like
// OrderByDistance, it keeps itself in the clause's AfterExpression and
// writes the clause with its Builder, so GORM's own FROM (from Table or
// Joins) merges in around it.
type nearestJoin struct{ topK TopK }

type nearestJoins []TopK

func (nearestJoins) Build(gclause.Builder) {}

func (nearestJoin) Name() string              { return "FROM" }
func (n nearestJoin) Build(b gclause.Builder) { n.topK.Build(b) }
func (n nearestJoin) MergeClause(c *gclause.Clause) {
	joins, _ := c.AfterExpression.(nearestJoins)
	if len(joins) > 0 {
		// one ranking per query: a second Nearest replaces the first
		joins = nil
	}
	c.AfterExpression = append(joins, n.topK)
	c.Builder = buildFrom
}

// buildFrom writes FROM as clause.From does, with the nearest join after
// the tables and before GORM's joins.
func buildFrom(c gclause.Clause, builder gclause.Builder) {
	from, _ := c.Expression.(gclause.From)
	builder.WriteString("FROM ")
	if len(from.Tables) > 0 {
		for i, table := range from.Tables {
			if i > 0 {
				builder.WriteByte(',')
			}
			builder.WriteQuoted(table)
		}
	} else {
		builder.WriteQuoted(gclause.Table{Name: gclause.CurrentTable})
	}
	joins, _ := c.AfterExpression.(nearestJoins)
	for _, topK := range joins {
		builder.WriteString(" JOIN ")
		topK.Build(builder)
		builder.WriteString(" AS " + NearestTable + " ON " + NearestTable + ".nearest_id = ")
		builder.WriteQuoted(gclause.Column{Table: gclause.CurrentTable, Name: "rowid"})
	}
	for _, join := range from.Joins {
		builder.WriteByte(' ')
		join.Build(builder)
	}
}

// TopK is the ranked subquery Nearest joins:
//
//	(SELECT id AS nearest_id, row_number() OVER () AS nearest_rank FROM vector_top_k(?, ?, ?))
//
// with the index name, the query vector and k bound as parameters.
type TopK struct {
	Index  string
	Vector any
	K      int
}

// Build writes the subquery.
func (t TopK) Build(builder gclause.Builder) {
	stmt := statementOf(builder)
	if t.Index == "" {
		_ = builder.AddError(fmt.Errorf("%w: Nearest needs an index name", ErrInvalid))
		return
	}
	if t.K < 1 {
		// libSQL 0.9.25 corrupts its heap on vector_top_k(..., 0) over a
		// non-empty index; never send it.
		_ = builder.AddError(fmt.Errorf("%w: Nearest needs k >= 1, got %d", ErrInvalid, t.K))
		return
	}
	spec := columnSpec{name: "index " + t.Index}
	if stmt != nil && stmt.Schema != nil {
		if idx := stmt.Schema.LookIndex(t.Index); idx != nil && idx.Name == t.Index {
			if !strings.EqualFold(idx.Type, "vector") {
				_ = builder.AddError(fmt.Errorf("%w: index %q of %s is not declared as a vector index (type:vector)", ErrNoVectorIndex, t.Index, stmt.Schema.Name))
				return
			}
			if len(idx.Fields) == 1 && idx.Fields[0].Field != nil {
				spec = specOf(stmt, idx.Fields[0].Field)
			}
		}
	}
	q, err := toQueryVector(t.Vector, spec)
	if err != nil {
		_ = builder.AddError(err)
		return
	}
	builder.WriteString("(SELECT id AS nearest_id, row_number() OVER () AS nearest_rank FROM vector_top_k(")
	builder.AddVar(builder, t.Index)
	builder.WriteString(", ")
	q.bind(builder, spec)
	builder.WriteString(", ")
	builder.AddVar(builder, int64(t.K))
	builder.WriteString("))")
}

// topKErrors wraps the connection pool of a Nearest query to explain
// libSQL's "failed to parse vector index parameters", which is all the
// engine says when the index is missing or not a vector index. It looks
// the index up only after such an error; successful queries cost nothing.
type topKErrors struct {
	gorm.ConnPool
	index string
}

func (p topKErrors) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := p.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		err = p.explain(ctx, err)
	}
	return rows, err
}

func (p topKErrors) explain(ctx context.Context, err error) error {
	if !strings.Contains(err.Error(), "vector index(search): failed to parse vector index parameters") {
		return err
	}
	rows, qerr := p.ConnPool.QueryContext(ctx, "SELECT type, coalesce(sql, '') FROM sqlite_master WHERE name = ?", p.index)
	if qerr != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if rows.Err() != nil {
			return err
		}
		return fmt.Errorf("%w: %q does not exist (create it with a type:vector index tag or libsql_vector_idx): %w", ErrNoVectorIndex, p.index, err)
	}
	var typ, ddl string
	if rows.Scan(&typ, &ddl) != nil {
		return err
	}
	switch {
	case typ != "index":
		return fmt.Errorf("%w: %q is a %s, not an index: %w", ErrNoVectorIndex, p.index, typ, err)
	case !strings.Contains(strings.ToLower(ddl), "libsql_vector_idx"):
		return fmt.Errorf("%w: %q is an ordinary index, not a vector index: %w", ErrNoVectorIndex, p.index, err)
	}
	return err
}
