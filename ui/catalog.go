package ui

// The message catalogue: one map per language, built by a function so the
// package holds no mutable state. Keys are dotted, lower-case, "area.item" (see
// the key list in catalogEn); both catalogues hold the same keys, which a test
// checks. Messages with arguments are fmt formats, used through Tf.

// catalogEn returns the English messages.
func catalogEn() map[string]string {
	return map[string]string{
		// Frame.
		"a11y.skip":     "Skip to content",
		"nav.label":     "Main",
		"nav.processes": "Processes",
		"nav.instances": "Instances",
		"nav.inbox":     "Inbox",
		"nav.admin":     "Admin",
		"lang.switch":   "Language",
		"lang.zh-CN":    "中文",
		"lang.en":       "English",
		"user.menu":     "Account",
		"user.sign_out": "Sign out",
		"role.admin":    "Admin",
		"role.designer": "Designer",
		"role.user":     "User",

		// Common words.
		"common.search":  "Search",
		"common.clear":   "Clear search",
		"common.dismiss": "Dismiss",
		"common.cancel":  "Cancel",
		"common.save":    "Save",

		// Sign-in.
		"login.title":         "Sign in to flowcraft",
		"login.subtitle":      "Design flows, work your inbox, automate the rest.",
		"login.username":      "Username",
		"login.password":      "Password",
		"login.submit":        "Sign in",
		"login.footer":        "flowcraft · self-hosted workflow engine",
		"login.error.invalid": "Incorrect username or password.",
		"login.error.expired": "Your session has expired. Please sign in again.",
		"login.error.csrf":    "The form expired. Please try again.",
		"login.signed_out":    "You have signed out.",

		// Processes list.
		"processes.title":              "Processes",
		"processes.subtitle":           "Process definitions your team has designed or imported.",
		"processes.total":              "Total",
		"processes.new":                "New process",
		"processes.import":             "Import JSON",
		"processes.search_label":       "Search processes",
		"processes.search_placeholder": "Search by name, ID or description",
		"processes.col.name":           "Name",
		"processes.col.id":             "ID",
		"processes.col.engine":         "Engine",
		"processes.col.trigger":        "Trigger",
		"processes.col.version":        "Version",
		"processes.col.status":         "Status",
		"processes.col.updated":        "Updated (UTC)",
		"processes.col.actions":        "Actions",
		"processes.created_by":         "by %s",
		"processes.enable":             "Enable",
		"processes.disable":            "Disable",
		"processes.delete":             "Delete",
		"processes.delete_named":       "Delete %s",
		"processes.confirm_delete":     "Delete the process “%s”? This cannot be undone.",
		"processes.empty.title":        "No processes yet",
		"processes.empty.hint":         "Create a new process, or import a process definition from a JSON file with “Import JSON”.",
		"processes.empty.readonly":     "No process has been published yet. Ask a designer to create one.",
		"processes.empty_search.title": "No processes match “%s”",
		"processes.empty_search.text":  "Try another name or ID, or clear the search.",
		"processes.imported":           "Process imported.",
		"processes.deleted":            "Process deleted.",

		// Pager.
		"pager.label": "Pagination",
		"pager.range": "%d–%d of %d",
		"pager.total": "%d total",
		"pager.prev":  "Previous",
		"pager.next":  "Next",

		// Process attributes.
		"engine.standard": "Standard",
		"engine.fast":     "Fast",
		"trigger.manual":  "Manual",
		"trigger.webhook": "Webhook",
		"trigger.cron":    "Schedule",

		// Status pills: process definitions and instances.
		"status.enabled":   "Enabled",
		"status.disabled":  "Disabled",
		"status.running":   "Running",
		"status.waiting":   "Waiting",
		"status.done":      "Done",
		"status.failed":    "Failed",
		"status.canceled":  "Canceled",
		"status.timeout":   "Timed out",
		"status.suspended": "Suspended",

		// Messages for processes.js (rendered into data-msg-* attributes).
		"js.network_error": "Could not reach the server. Check your connection and try again.",
		"js.invalid_json":  "The file is not valid JSON.",
		"js.import_failed": "Import failed",
		"js.action_failed": "The action failed",
		"js.importing":     "Importing…",

		// Error pages.
		"error.400":          "Bad request",
		"error.401":          "Please sign in",
		"error.403":          "Access denied",
		"error.404":          "Page not found",
		"error.409":          "Conflict",
		"error.500":          "Something went wrong",
		"error.generic":      "Error",
		"error.401.hint":     "You need to sign in to see this page.",
		"error.403.hint":     "You do not have permission to see this page.",
		"error.404.hint":     "The page you are looking for does not exist or has been moved.",
		"error.500.hint":     "An unexpected error occurred. Please try again later.",
		"error.generic.hint": "The request could not be completed.",
		"error.home":         "Back to processes",
	}
}

// catalogZhCN returns the Simplified Chinese messages.
func catalogZhCN() map[string]string {
	return map[string]string{
		// Frame.
		"a11y.skip":     "跳到正文",
		"nav.label":     "主导航",
		"nav.processes": "流程",
		"nav.instances": "实例",
		"nav.inbox":     "待办",
		"nav.admin":     "管理",
		"lang.switch":   "语言",
		"lang.zh-CN":    "中文",
		"lang.en":       "English",
		"user.menu":     "账户",
		"user.sign_out": "退出登录",
		"role.admin":    "管理员",
		"role.designer": "设计者",
		"role.user":     "用户",

		// Common words.
		"common.search":  "搜索",
		"common.clear":   "清除搜索",
		"common.dismiss": "关闭",
		"common.cancel":  "取消",
		"common.save":    "保存",

		// Sign-in.
		"login.title":         "登录 flowcraft",
		"login.subtitle":      "设计流程，处理待办，让其余工作自动完成。",
		"login.username":      "用户名",
		"login.password":      "密码",
		"login.submit":        "登录",
		"login.footer":        "flowcraft · 自托管工作流引擎",
		"login.error.invalid": "用户名或密码不正确。",
		"login.error.expired": "会话已过期，请重新登录。",
		"login.error.csrf":    "表单已过期，请重试。",
		"login.signed_out":    "您已退出登录。",

		// Processes list.
		"processes.title":              "流程",
		"processes.subtitle":           "团队设计或导入的流程定义。",
		"processes.total":              "总数",
		"processes.new":                "新建流程",
		"processes.import":             "导入 JSON",
		"processes.search_label":       "搜索流程",
		"processes.search_placeholder": "按名称、ID 或描述搜索",
		"processes.col.name":           "名称",
		"processes.col.id":             "ID",
		"processes.col.engine":         "引擎",
		"processes.col.trigger":        "触发方式",
		"processes.col.version":        "版本",
		"processes.col.status":         "状态",
		"processes.col.updated":        "更新时间（UTC）",
		"processes.col.actions":        "操作",
		"processes.created_by":         "创建者 %s",
		"processes.enable":             "启用",
		"processes.disable":            "停用",
		"processes.delete":             "删除",
		"processes.delete_named":       "删除 %s",
		"processes.confirm_delete":     "确定删除流程“%s”吗？此操作无法撤销。",
		"processes.empty.title":        "还没有流程",
		"processes.empty.hint":         "新建一个流程，或通过“导入 JSON”从文件导入流程定义。",
		"processes.empty.readonly":     "还没有发布任何流程，请联系流程设计者创建。",
		"processes.empty_search.title": "没有与“%s”匹配的流程",
		"processes.empty_search.text":  "换个名称或 ID 试试，或清除搜索条件。",
		"processes.imported":           "流程已导入。",
		"processes.deleted":            "流程已删除。",

		// Pager.
		"pager.label": "分页",
		"pager.range": "第 %d–%d 条，共 %d 条",
		"pager.total": "共 %d 条",
		"pager.prev":  "上一页",
		"pager.next":  "下一页",

		// Process attributes.
		"engine.standard": "标准",
		"engine.fast":     "快速",
		"trigger.manual":  "手动",
		"trigger.webhook": "Webhook",
		"trigger.cron":    "定时",

		// Status pills: process definitions and instances.
		"status.enabled":   "已启用",
		"status.disabled":  "已停用",
		"status.running":   "运行中",
		"status.waiting":   "等待中",
		"status.done":      "已完成",
		"status.failed":    "失败",
		"status.canceled":  "已取消",
		"status.timeout":   "已超时",
		"status.suspended": "已挂起",

		// Messages for processes.js (rendered into data-msg-* attributes).
		"js.network_error": "无法连接服务器，请检查网络后重试。",
		"js.invalid_json":  "该文件不是有效的 JSON。",
		"js.import_failed": "导入失败",
		"js.action_failed": "操作失败",
		"js.importing":     "正在导入…",

		// Error pages.
		"error.400":          "请求无效",
		"error.401":          "请先登录",
		"error.403":          "没有权限",
		"error.404":          "页面不存在",
		"error.409":          "操作冲突",
		"error.500":          "出错了",
		"error.generic":      "错误",
		"error.401.hint":     "登录后才能查看此页面。",
		"error.403.hint":     "您没有查看此页面的权限。",
		"error.404.hint":     "您访问的页面不存在或已被移动。",
		"error.500.hint":     "发生了意外错误，请稍后重试。",
		"error.generic.hint": "请求未能完成。",
		"error.home":         "返回流程列表",
	}
}
