package templates

// DatabaseHandler is the `database-handler` action: parameterized SQL on a
// named data source from the configuration.
type DatabaseHandler struct{}

// Spec implements Template.
func (DatabaseHandler) Spec() Spec {
	return Spec{
		ID:    "database-handler",
		Kind:  KindAction,
		Label: Label{Zh: "数据库", En: "Database"},
		Description: Label{
			Zh: "在指定的数据源上执行参数化 SQL",
			En: "Runs parameterized SQL on a named data source",
		},
		Icon: "database",
		Parameters: []Param{
			{
				Key:      "datasource",
				Label:    Label{Zh: "数据源", En: "Data source"},
				Type:     TypeString,
				Required: true,
				Description: Label{
					Zh: "配置中定义的数据源名称",
					En: "Name of a data source defined in the configuration",
				},
				Placeholder: "main",
			},
			{
				Key:      "sql",
				Label:    Label{Zh: "SQL", En: "SQL"},
				Type:     TypeText,
				Required: true,
				Description: Label{
					Zh: "用占位符传入参数，不要把值拼接进 SQL",
					En: "Pass values through placeholders; never concatenate them into the SQL",
				},
				Placeholder: "SELECT * FROM orders WHERE id = ?",
			},
			{
				Key:   "params",
				Label: Label{Zh: "参数", En: "Parameters"},
				Type:  TypeJSON,
				Description: Label{
					Zh: "占位符的值：数组（按位置）或对象（按名称）",
					En: "Placeholder values: an array (by position) or an object (by name)",
				},
				Placeholder: `["{{ input.id }}"]`,
			},
			{
				Key:     "mode",
				Label:   Label{Zh: "模式", En: "Mode"},
				Type:    TypeSelect,
				Default: "query",
				Options: []Option{
					{Value: "query", Label: Label{Zh: "查询（返回行）", En: "Query (returns rows)"}},
					{Value: "exec", Label: Label{Zh: "执行（返回影响行数）", En: "Execute (returns rows affected)"}},
				},
				Description: Label{
					Zh: "查询返回结果行；执行用于增删改，返回影响的行数",
					En: "Query returns rows; execute is for writes and returns the rows affected",
				},
			},
		},
	}
}

// Check implements Template. Besides the types it checks that params is an
// array or an object, and that sql is one statement.
func (t DatabaseHandler) Check(values map[string]any) []Problem {
	probs := checkParams(t.Spec(), values)
	if q, ok := values["sql"].(string); ok && !IsDynamic(q) {
		if err := oneStatement(q); err != nil {
			probs = append(probs, Problem{Field: "sql", Code: "bad_sql", Params: map[string]any{"error": err.Error()}, Message: err.Error()})
		}
	}
	switch p := values["params"].(type) {
	case nil, []any, map[string]any:
	default:
		if !IsDynamic(p) {
			probs = append(probs, Problem{Field: "params", Code: "wrong_type", Params: map[string]any{"want": "array, object"}, Message: "must be an array or an object, got " + jsonType(p)})
		}
	}
	return probs
}
