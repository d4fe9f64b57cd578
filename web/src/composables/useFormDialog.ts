// The form dialogs' common pattern: each opening resets the form and its messages; submitting runs the
// Element Plus rules (when the dialog has a `formRef` form) and the dialog's own checks, then the call
// with a busy flag. The call goes through runSave: an error is shown, a 422's field messages can go
// under their fields, and a stale version (409) calls `onStale`. What to do after a success (a
// message, closing, events) is the dialog's `done`. The server's 422 field messages are also kept by
// field name in `fields` (bound with `:error="fields.name"` where the form's field names are the server's).
import { reactive, ref, watch, type Ref } from 'vue'
import type { FormInstance } from 'element-plus'
import { runSave } from '@/utils/errors'

export interface FormDialogOptions<F extends object, E extends string, R> {
  /** Whether the dialog is shown (its `visible` prop); each opening resets the form and the messages. */
  visible: () => boolean
  /** The form's values on opening. */
  initial: () => F
  /** Also reset when the dialog is created already open. */
  immediate?: boolean
  /** The fields with a message of their own (bound with `:error`); all '' on opening. */
  errors?: readonly E[]
  /** After the reset on opening: the rest of the dialog's state. */
  onOpen?: () => void
  /** The dialog's `el-form` with rules (`const formRef = ref<FormInstance>()`, `ref="formRef"`): validated on submit, cleared on opening. */
  formRef?: Ref<FormInstance | undefined>
  /** False: submitting does nothing at all (e.g. no target yet). */
  ready?: () => boolean
  /** The dialog's own checks: a message per field, '' (or absent) when fine. Run even when the rules fail. */
  check?: (form: F) => Partial<Record<E, string>>
  /** The call, once the rules and the checks pass; undefined: nothing is sent (and `done` is not called). */
  save: (form: F) => Promise<R> | undefined
  /** The server's 422 field messages to show under a field: server field name → message key. */
  serverFields?: Partial<Record<string, E>>
  /** A stale version (409): the page reloads the record. */
  onStale?: () => void | Promise<void>
  /** After a successful call. */
  done: (result: R) => void
}

export interface FormDialog<F extends object, E extends string> {
  /** The form's values (reactive). */
  form: F
  /** The messages of the fields, '' when none (reactive). */
  errors: Record<E, string>
  /** The server's 422 messages of the last call by field name, cleared on opening and on each call (reactive). */
  fields: Record<string, string>
  /** True while the call runs (the confirm button's `loading`). */
  saving: Ref<boolean>
  submit: () => Promise<void>
}

export function useFormDialog<F extends object, E extends string = never, R = unknown>(
  options: FormDialogOptions<F, E, R>,
): FormDialog<F, E> {
  const keys = options.errors ?? []
  const form = reactive(options.initial()) as F
  const errors = reactive(Object.fromEntries(keys.map((k) => [k, '']))) as Record<E, string>
  const fields = reactive<Record<string, string>>({})
  const formRef = options.formRef ?? ref<FormInstance>()
  const saving = ref(false)

  function clearErrors(): void {
    for (const k of keys) errors[k] = ''
  }

  watch(
    options.visible,
    (open) => {
      if (!open) return
      Object.assign(form, options.initial())
      clearErrors()
      for (const name of Object.keys(fields)) delete fields[name]
      formRef.value?.clearValidate()
      options.onOpen?.()
    },
    { immediate: options.immediate ?? false },
  )

  async function submit(): Promise<void> {
    if (options.ready && !options.ready()) return
    const valid = await formRef.value?.validate().catch(() => false)
    const messages: Partial<Record<E, string>> = options.check?.(form) ?? {}
    for (const k of keys) errors[k] = messages[k] ?? ''
    if (valid === false || keys.some((k) => errors[k])) return
    let call: Promise<R> | undefined
    try {
      call = options.save(form)
    } catch (error) {
      call = Promise.reject(error)
    }
    if (call === undefined) return
    saving.value = true
    try {
      let succeeded = false
      const result = await runSave(
        async () => {
          const value = await call
          succeeded = true
          return value
        },
        { fields, ...(options.onStale ? { onStale: options.onStale } : {}) },
      )
      for (const [name, key] of Object.entries(options.serverFields ?? {})) {
        if (key && fields[name]) errors[key] = fields[name]
      }
      if (succeeded) options.done(result as R)
    } finally {
      saving.value = false
    }
  }

  return { form, errors, fields, saving, submit }
}

/** A dialog that closes itself and sends out what it saved (`update:visible` and `saved` events). */
export interface SavingDialogEmit<R> {
  (event: 'update:visible', value: boolean): void
  (event: 'saved', record: R): void
}

/** A record form's `done`: the saved record goes out and the dialog closes. */
export function emitSaved<R>(emit: SavingDialogEmit<R>): (saved: R) => void {
  return (saved) => {
    emit('saved', saved)
    emit('update:visible', false)
  }
}

/** A record form's `onStale`: the page is asked to reload the record and the dialog closes. */
export function emitReloaded(emit: { (event: 'update:visible', value: boolean): void; (event: 'reloaded'): void }) {
  return (): void => {
    emit('reloaded')
    emit('update:visible', false)
  }
}
