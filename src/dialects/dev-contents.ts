/** How many objects a message about a dev database names before it says how many more there are. */
const NAMED = 10

/** `table users, view v` (and `, and 3 more` past ten): what a dev database holds, for one-line messages. */
export function describeContents(contents: readonly { readonly kind: string; readonly name: string }[]): string {
  const named = contents.slice(0, NAMED).map((c) => `${c.kind} ${c.name}`)
  const more = contents.length - named.length
  return more > 0 ? `${named.join(', ')}, and ${more} more` : named.join(', ')
}
