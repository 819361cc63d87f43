module github.com/schedsim/schedsim/adapters/gocron

go 1.26.8

require (
	github.com/go-co-op/gocron/v2 v2.21.2
	github.com/schedsim/schedsim v0.0.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/jonboulle/clockwork v0.5.0 // indirect
	github.com/leanovate/gopter v0.2.11 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/robfig/cron/v3 v3.0.1 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)

replace github.com/schedsim/schedsim => ../..
