module github.com/schedsim/schedsim

go 1.26.8

require (
	github.com/jonboulle/clockwork v0.5.0
	github.com/leanovate/gopter v0.2.11
	github.com/robfig/cron/v3 v3.0.1
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/pmezard/go-difflib v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
