// Paging of lists the server returns whole (activities, not-inspected organisations, holidays): slices for a table.
import { computed, ref, watch, type Ref } from 'vue'

export function useLocalPage<T>(rows: Ref<T[]>, initialSize = 20) {
  const page = ref(1)
  const pageSize = ref(initialSize)
  const total = computed(() => rows.value.length)
  const paged = computed(() => rows.value.slice((page.value - 1) * pageSize.value, page.value * pageSize.value))
  // A shorter list (after a filter or reload) must not leave the table on an empty page.
  watch([total, pageSize], () => {
    const last = Math.max(1, Math.ceil(total.value / pageSize.value))
    if (page.value > last) page.value = last
  })
  return { page, pageSize, total, paged }
}

/** How to ask the server for one page: by number (OFFSET), or by key from a neighbour's cursor. */
export interface PageAsk {
  page?: number
  after?: string
  before?: string
}

/** What a keyset-paged answer says about its neighbours (GET /rect/ledger). */
export interface CursorAnswer {
  page?: number
  next?: string | null
  prev?: string | null
}

/**
 * Page numbers over keyset paging: remembers the cursors of the pages a listing has shown, so that
 * stepping to the next or previous page reads by key (the same cost at any depth) while the pager keeps
 * the page numbers users know; a page no shown page neighbours (a jump, a reload) is asked by number.
 * A listing is the filters and page size as a key: another listing, or `reset`, forgets the cursors.
 */
export class CursorPages {
  private listing = ''
  private readonly after = new Map<number, string>()
  private readonly before = new Map<number, string>()

  /** Forgets every cursor (a new search counts again and starts from page 1). */
  reset(): void {
    this.after.clear()
    this.before.clear()
  }

  /** How to ask for page `page` of `listing`. */
  ask(listing: string, page: number): PageAsk {
    if (listing !== this.listing) {
      this.listing = listing
      this.reset()
    }
    const after = this.after.get(page)
    if (after) return { after }
    const before = this.before.get(page)
    if (before) return { before }
    return { page }
  }

  /** Remembers the cursors of page `page` of `listing` as answered (the server's page number wins). */
  record(listing: string, page: number, answer: CursorAnswer): void {
    if (listing !== this.listing) return
    const at = answer.page ?? page
    if (answer.next) this.after.set(at + 1, answer.next)
    if (answer.prev && at > 1) this.before.set(at - 1, answer.prev)
  }
}
