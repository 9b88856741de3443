package caddymodule

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/caddy-pia/caddy-pia/validate"
)

// metrics are the gateway's Prometheus series, registered in Caddy's
// registry. Labels stay low-cardinality: method (an unknown name is
// "unknown"), outcome, mode, direction, reason; never a NIB, client IP or
// token.
type metrics struct {
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	violations    *prometheus.CounterVec
	transforms    *prometheus.CounterVec
	tokensIssued  *prometheus.CounterVec
	tokensRefused *prometheus.CounterVec
}

const metricsNamespace = "caddy_pia"

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "requests_total",
			Help: "PIA requests by method and outcome.",
		}, []string{"method", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "request_duration_seconds",
			Help:    "Time from request to answer, upstream included, by method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "validation_failures_total",
			Help: "Payloads that broke their schema, by method and validation mode.",
		}, []string{"method", "mode"}),
		transforms: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "transforms_total",
			Help: "Version rules applied, by method and direction (request or response).",
		}, []string{"method", "direction"}),
		tokensIssued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "tokens_issued_total",
			Help: "Security keys issued through sendSecurityKey, by client.",
		}, []string{"client"}),
		tokensRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "tokens_rejected_total",
			Help: "Security keys and key requests refused, by reason.",
		}, []string{"reason"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.requests, err = register(reg, m.requests)
	if err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.violations, err = register(reg, m.violations); err != nil {
		return nil, err
	}
	if m.transforms, err = register(reg, m.transforms); err != nil {
		return nil, err
	}
	if m.tokensIssued, err = register(reg, m.tokensIssued); err != nil {
		return nil, err
	}
	if m.tokensRefused, err = register(reg, m.tokensRefused); err != nil {
		return nil, err
	}
	return m, nil
}

// register adds c to the registry, or returns the collector already there
// (several pia handlers in one config share the series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// request counts a request by method and outcome and observes its
// duration. A method's series for a forwarded request are looked up once
// and kept on its route (methodSeries), sparing the label hashing of every
// later one.
func (m *metrics) request(x *exchange, d time.Duration) {
	if x.route != nil && x.method != nil && x.outcome == outcomeForwarded {
		s := x.route.series.Load()
		if s == nil {
			s = &methodSeries{
				forwarded: m.requests.WithLabelValues(x.method.Name, outcomeForwarded),
				duration:  m.duration.WithLabelValues(x.method.Name),
			}
			x.route.series.Store(s)
		}
		s.forwarded.Inc()
		s.duration.Observe(d.Seconds())
		return
	}
	method := "unknown"
	if x.method != nil {
		method = x.method.Name
	}
	m.requests.WithLabelValues(method, x.outcome).Inc()
	m.duration.WithLabelValues(method).Observe(d.Seconds())
}

// methodSeries are one method's series for its forwarded requests, made
// on the first (a method never called shows none, as before).
type methodSeries struct {
	forwarded prometheus.Counter
	duration  prometheus.Observer
}

func (m *metrics) invalid(method string, mode validate.Mode) {
	m.violations.WithLabelValues(method, mode.String()).Inc()
}

func (m *metrics) transformed(method, direction string, rules int) {
	if rules > 0 {
		m.transforms.WithLabelValues(method, direction).Add(float64(rules))
	}
}

func (m *metrics) keyIssued(client string) { m.tokensIssued.WithLabelValues(client).Inc() }

func (m *metrics) keyRefused(reason string) { m.tokensRefused.WithLabelValues(reason).Inc() }
