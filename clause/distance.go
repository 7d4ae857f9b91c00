package clause

import (
	"fmt"
	"slices"

	gclause "gorm.io/gorm/clause"
)

// Metric is a distance function.
type Metric string

const (
	// Cosine is libSQL's vector_distance_cos: 1 - cos(angle), from 0
	// (same direction) to 2; for F1BIT vectors, the Hamming distance. The
	// default.
	Cosine Metric = "cosine"
	// L2 is libSQL's vector_distance_l2, the Euclidean distance.
	L2 Metric = "l2"
)

func (m Metric) function() (string, error) {
	switch m {
	case "", Cosine:
		return "vector_distance_cos", nil
	case L2:
		return "vector_distance_l2", nil
	}
	return "", fmt.Errorf("%w: unknown metric %q (want Cosine or L2)", ErrInvalid, string(m))
}

// Distance is the distance between a vector column and a query vector:
// vector_distance_cos(column, ?) or vector_distance_l2(column, ?). It is a
// clause.Expression, for Select, Where or Order:
//
//	db.Where("? < ?", vclause.Distance{Column: "embedding", Vector: q}, 0.3).Find(&docs)
type Distance struct {
	// Column is the vector column: a field or column name of the model
	// ("embedding"), or table.column.
	Column string
	// Vector is the query vector: []float32, []float64, or a driver.Valuer
	// producing a vector blob (libsql.Vector, libsql.Vector16, ...).
	Vector any
	// Metric is Cosine (the default) or L2.
	Metric Metric
}

// Build writes the distance expression, binding the query vector.
func (d Distance) Build(builder gclause.Builder) {
	fn, err := d.Metric.function()
	if err != nil {
		_ = builder.AddError(err)
		return
	}
	if d.Column == "" {
		_ = builder.AddError(fmt.Errorf("%w: Distance needs a Column", ErrInvalid))
		return
	}
	col, spec := resolveColumn(statementOf(builder), d.Column)
	q, err := toQueryVector(d.Vector, spec)
	if err != nil {
		_ = builder.AddError(err)
		return
	}
	builder.WriteString(fn)
	builder.WriteByte('(')
	builder.WriteQuoted(col)
	builder.WriteString(", ")
	q.bind(builder, spec)
	builder.WriteByte(')')
}

// As returns the distance as a selected column named alias:
//
//	db.Select("*, ?", vclause.Distance{Column: "embedding", Vector: q}.As("distance")).Find(&docs)
//
// reads it into a model field such as
//
//	Distance float64 `gorm:"->;-:migration"`
func (d Distance) As(alias string) gclause.Expression { return aliased{d, alias} }

type aliased struct {
	expr  gclause.Expression
	alias string
}

func (a aliased) Build(builder gclause.Builder) {
	a.expr.Build(builder)
	builder.WriteString(" AS ")
	builder.WriteQuoted(a.alias)
}

// OrderByDistance orders a query by the distance between a vector column
// and a query vector, nearest first (farthest first with Desc): an exact
// search over every row that matches the query, to combine with Limit.
//
//	db.Clauses(vclause.OrderByDistance{Column: "embedding", Vector: q}).Limit(10).Find(&docs)
//
// It composes with Order: columns ordered before it come first, columns
// ordered after it (including First's primary key) break its ties.
type OrderByDistance struct {
	Column string
	Vector any
	Metric Metric
	Desc   bool
}

// Name is "ORDER BY": the clause merges into the statement's ORDER BY.
func (OrderByDistance) Name() string { return "ORDER BY" }

// Build writes the distance and its direction.
func (o OrderByDistance) Build(builder gclause.Builder) {
	Distance{Column: o.Column, Vector: o.Vector, Metric: o.Metric}.Build(builder)
	if o.Desc {
		builder.WriteString(" DESC")
	}
}

// distanceOrders are the OrderByDistance clauses of a statement, each with
// the number of ORDER BY columns before it. They live in the ORDER BY
// clause's AfterExpression, which the clause's Builder, buildOrderBy,
// reads; GORM's Order only replaces the clause's Expression, so both
// survive any number of Order calls.
type distanceOrders []positioned

type positioned struct {
	at    int
	order OrderByDistance
}

// Build is never called: buildOrderBy writes the orders.
func (distanceOrders) Build(gclause.Builder) {}

// MergeClause adds the order after the ORDER BY columns the statement has.
func (o OrderByDistance) MergeClause(c *gclause.Clause) {
	orders, _ := c.AfterExpression.(distanceOrders)
	c.AfterExpression = append(slices.Clone(orders), positioned{at: countOrders(c.Expression), order: o})
	c.Builder = buildOrderBy
}

func countOrders(e gclause.Expression) int {
	switch e := e.(type) {
	case nil:
		return 0
	case gclause.OrderBy:
		if e.Expression != nil {
			return 1
		}
		return len(e.Columns)
	}
	return 1
}

// buildOrderBy writes ORDER BY with the distance orders among GORM's.
func buildOrderBy(c gclause.Clause, builder gclause.Builder) {
	orders, _ := c.AfterExpression.(distanceOrders)
	var (
		columns []gclause.OrderByColumn
		expr    gclause.Expression
	)
	switch e := c.Expression.(type) {
	case nil:
	case gclause.OrderBy:
		if e.Expression != nil {
			expr = e.Expression
		} else {
			columns = e.Columns
		}
	default:
		expr = e
	}
	n := len(columns)
	if expr != nil {
		n = 1
	}
	builder.WriteString("ORDER BY ")
	first := true
	sep := func() {
		if !first {
			builder.WriteByte(',')
		}
		first = false
	}
	for i := 0; i <= n; i++ {
		for _, o := range orders {
			if o.at == i || i == n && o.at > n {
				sep()
				o.order.Build(builder)
			}
		}
		if i == n {
			break
		}
		sep()
		if expr != nil {
			expr.Build(builder)
			continue
		}
		builder.WriteQuoted(columns[i].Column)
		if columns[i].Desc {
			builder.WriteString(" DESC")
		}
	}
}
