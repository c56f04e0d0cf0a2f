// Renders an Ollama Modelfile TEMPLATE with Go's text/template (the engine Ollama uses) over test conversations,
// and writes the golden file tests/Ponder.Tests/Fixtures/ollama/<name>.json that OllamaTemplateTests compare with
// Ponder's own chat template. Regenerate after changing a template:
//
//	ponder init --out /tmp/m --preset tiny && ponder export ollama --model /tmp/m --out /tmp/o
//	go run tests/ollama-template/main.go /tmp/o/Modelfile tests/ollama-template/cases.json \
//	    > tests/Ponder.Tests/Fixtures/ollama/ponder-think.json
package main

import (
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

type Message struct {
	Role     string
	Content  string
	Thinking string `json:",omitempty"`
}

// Values holds the fields of Ollama's template values that the templates use.
type Values struct {
	Messages   []Message
	IsThinkSet bool `json:",omitempty"`
	Think      bool `json:",omitempty"`
}

func main() {
	modelfile, err := os.ReadFile(os.Args[1])
	check(err)
	s := string(modelfile)
	start := strings.Index(s, `TEMPLATE """`) + len(`TEMPLATE """`)
	text := s[start : start+strings.Index(s[start:], `"""`)]
	t := template.Must(template.New("modelfile").Parse(text))
	data, err := os.ReadFile(os.Args[2])
	check(err)
	var cases []Values
	check(json.Unmarshal(data, &cases))
	rendered := []string{}
	for _, c := range cases {
		var b strings.Builder
		check(t.Execute(&b, c))
		rendered = append(rendered, b.String())
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	out.SetIndent("", " ")
	check(out.Encode(map[string]any{"template": text, "cases": cases, "rendered": rendered}))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
