package testenv

import (
	"path/filepath"
	"testing"
)

func TestTestFileFindsTheTestFunction(t *testing.T) {
	check := func(t *testing.T) {
		file, ok := testFile()
		if !ok || filepath.Base(file) != "testenv_test.go" {
			t.Errorf("testFile() = %q, %v", file, ok)
		}
	}
	check(t)                // through a helper closure
	t.Run("subtest", check) // from a subtest
}

func TestIsTestFunc(t *testing.T) {
	for fn, want := range map[string]bool{
		"TestKafkaIntegration": true, "TestKafkaIntegration.func1.2": true, "Test": true,
		"BenchmarkWrite10k": true, "FuzzRowValues": true, "Test_x": true,
		"TestMain": false, "Testify": false, "openTestWriter": false, "helper.func1": false,
	} {
		if got := isTestFunc(fn); got != want {
			t.Errorf("isTestFunc(%q) = %v, want %v", fn, got, want)
		}
	}
}
