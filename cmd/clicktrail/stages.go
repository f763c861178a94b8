package main

import (
	"github.com/urfave/cli/v2"

	"github.com/clicktrail/clicktrail/internal/app"
)

// stageFlags are the flags of each stage of app.Stages, by stage name,
// declared once: a Kafka worker takes those of its stages, dev those of
// every stage. A stage without flags has an empty entry (a test checks
// that every stage has one).
var stageFlags = map[string][]cli.Flag{
	"enrich":          {geoipFlag, hashSecretFlag, internalNetworkFlag},
	"sink clickhouse": {clickhouseDSNFlag},
	"webhooks":        {webhookAllowPrivateFlag, webhookTimeoutFlag, webhookRetentionFlag},
	"attribution":     {attributionWindowFlag, attributionWaitFlag},
}

// workerFlags are the flags of the Kafka worker that runs the stages
// whose Worker is worker: the Kafka flags, --group, the batch bounds and
// its stages' flags.
func workerFlags(worker string, more ...cli.Flag) []cli.Flag {
	flags := []cli.Flag{kafkaBrokersFlag, topicPrefixFlag, partitionsFlag, replicationFlag, groupFlag}
	flags = append(flags, stagesFlags(func(s app.Stage) bool { return s.Worker == worker })...)
	flags = append(flags, more...)
	return append(flags, batchRecordsFlag, batchWaitFlag)
}

// stagesFlags returns the flags of the stages keep accepts, each once,
// in the list's order.
func stagesFlags(keep func(app.Stage) bool) []cli.Flag {
	var flags []cli.Flag
	seen := map[string]bool{}
	for _, s := range app.Stages() {
		if !keep(s) {
			continue
		}
		for _, f := range stageFlags[s.Name] {
			if name := f.Names()[0]; !seen[name] {
				seen[name] = true
				flags = append(flags, f)
			}
		}
	}
	return flags
}
