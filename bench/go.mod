module github.com/gorm-libsql/libsql/bench

go 1.26

require (
	github.com/gorm-libsql/libsql v0.0.0
	github.com/tursodatabase/go-libsql v0.0.0-20251219133454-43644db490ff
	gorm.io/driver/sqlite v1.6.0
	gorm.io/gorm v1.31.2
)

require (
	github.com/antlr4-go/antlr/v4 v4.13.0 // indirect
	github.com/jinzhu/inflection v1.0.0 // indirect
	github.com/jinzhu/now v1.1.5 // indirect
	github.com/libsql/sqlite-antlr4-parser v0.0.0-20240327125255-dbf53b6cbf06 // indirect
	github.com/mattn/go-sqlite3 v1.14.22 // indirect
	golang.org/x/exp v0.0.0-20230515195305-f3d0a9c9a5cc // indirect
	golang.org/x/text v0.20.0 // indirect
)

replace github.com/gorm-libsql/libsql => ../
