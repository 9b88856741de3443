package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseModeReadsEnforceReportOff(t *testing.T) {
	for in, want := range map[string]Mode{"": ModeEnforce, "enforce": ModeEnforce, "REPORT": ModeReport, "off": ModeOff} {
		m, err := ParseMode(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, m, in)
	}
	assert.Equal(t, "report", ModeReport.String())
	_, err := ParseMode("warn")
	assert.ErrorContains(t, err, `validation mode "warn"`)
}
