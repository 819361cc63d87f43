module github.com/schedsim/schedsim/adapters/robfigcron

go 1.26.8

require (
	github.com/robfig/cron/v3 v3.0.1
	github.com/schedsim/schedsim v0.0.0
)

require (
	github.com/jonboulle/clockwork v0.5.0 // indirect
	github.com/leanovate/gopter v0.2.11 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)

replace github.com/schedsim/schedsim => ../..
