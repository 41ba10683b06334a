// argo-eval decides the phase of Argo Rollouts analysis measurements the way the controller
// does, with the expression engine it uses (github.com/antonmedv/expr: argo-rollouts v1.9.0
// go.mod; Debian ships it as golang-github-antonmedv-expr-dev).
//
// Two more kinds of input items, for Argo CD notifications (which use the same expression
// engine for trigger conditions and Go's text/template for message templates):
// {"expression", "env"} -> "true"/"false", and {"template", "data"} -> the rendered text.
//
// Input on stdin: a JSON array of {"successCondition", "failureCondition", "result"} where
// result is the Prometheus provider's value, a list of numbers written as strings ("NaN"
// allowed; argo-rollouts metricproviders/prometheus processResponse turns a vector into
// []float64). Output: a JSON array of phases.
//
// The rules, from argo-rollouts utils/evaluate/evaluate.go (EvaluateResult, EvalCondition):
// the expression environment has `result`, `isNaN` and `isInf`; a set failure condition that
// holds means Failed; a set success condition that holds (and no failure) means Successful;
// with only a success condition, not holding means Failed; with both set and neither holding,
// the measurement is Inconclusive; an expression error is Error.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"text/template"

	"github.com/antonmedv/expr"
)

type measurement struct {
	SuccessCondition string                 `json:"successCondition"`
	FailureCondition string                 `json:"failureCondition"`
	Result           []string               `json:"result"`
	Expression       string                 `json:"expression"`
	Env              map[string]interface{} `json:"env"`
	Template         string                 `json:"template"`
	Data             map[string]interface{} `json:"data"`
}

func expression(m measurement) string {
	program, err := expr.Compile(m.Expression, expr.Env(m.Env))
	if err != nil {
		return "Error: " + err.Error()
	}
	out, err := expr.Run(program, m.Env)
	if err != nil {
		return "Error: " + err.Error()
	}
	return fmt.Sprint(out)
}

func render(m measurement) string {
	t, err := template.New("t").Parse(m.Template)
	if err != nil {
		return "Error: " + err.Error()
	}
	var b strings.Builder
	if err := t.Execute(&b, m.Data); err != nil {
		return "Error: " + err.Error()
	}
	return b.String()
}

func holds(condition string, result []float64) (bool, error) {
	env := map[string]interface{}{
		"result": result,
		"isNaN":  math.IsNaN,
		"isInf":  func(f float64) bool { return math.IsInf(f, 0) },
	}
	program, err := expr.Compile(condition, expr.Env(env))
	if err != nil {
		return false, err
	}
	out, err := expr.Run(program, env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("expected bool, got %T", out)
	}
	return b, nil
}

func phase(m measurement) string {
	result := make([]float64, 0, len(m.Result))
	for _, s := range m.Result {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "Error: " + err.Error()
		}
		result = append(result, f)
	}
	success, failure := false, false
	var err error
	if m.SuccessCondition != "" {
		if success, err = holds(m.SuccessCondition, result); err != nil {
			return "Error: " + err.Error()
		}
	}
	if m.FailureCondition != "" {
		if failure, err = holds(m.FailureCondition, result); err != nil {
			return "Error: " + err.Error()
		}
	}
	if m.SuccessCondition == "" && m.FailureCondition == "" {
		return "Successful"
	}
	if m.FailureCondition == "" {
		failure = !success
	} else if m.SuccessCondition == "" {
		success = !failure
	}
	switch {
	case failure:
		return "Failed"
	case success:
		return "Successful"
	default:
		return "Inconclusive"
	}
}

func main() {
	var in []measurement
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := make([]string, len(in))
	for i, m := range in {
		switch {
		case m.Expression != "":
			out[i] = expression(m)
		case m.Template != "":
			out[i] = render(m)
		default:
			out[i] = phase(m)
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
