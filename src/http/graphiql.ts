/** The query GraphiQL opens with: nested data from every part of the graph. */
export const GRAPHIQL_DEFAULT_QUERY = `# Newsgraph: news articles as a graph.
# Press the run button (or Ctrl-Enter); the book icon lists every type and field.
query LatestArticles {
  articles(first: 5) {
    totalCount
    nodes {
      title
      publishedDateTime
      webUrl
      provider { name domain }
      topics { name slug }
      images { url width height }
      related {
        title
        provider { name }
        article {
          title
          provider { name }
          topics { name }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
