// Teacher generation (the Distilling Step-by-Step data step): public surface for the UI, the CLI and tests.
export { DEFAULT_TEACHER_CONFIG, checkTeacherConfig, type TeacherConfig } from './config';
export { chatCompletion, chatCompletionsUrl, parseRetryAfter, parseChatResponse, TeacherRequestError, type ChatMessage, type ChatResult, type TokenUsage } from './client';
export { DEFAULT_PROMPT_TEMPLATE, formatSchema, missingPlaceholders, renderPrompt } from './prompt';
export { extractReply, scanJsonObjects, type ExtractedReply, type JsonSpan } from './extract';
export { chooseByVote, type Sample, type Vote } from './vote';
export { backoffDelay, withRetries, sleep, type RetryPolicy } from './retry';
export { redactSecret } from './redact';
export { runTeacher, type TeacherProgress, type TeacherRunOptions, type TeacherRunResult, type TeacherFailure } from './runner';
