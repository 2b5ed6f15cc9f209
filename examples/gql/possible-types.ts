
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "Article",
      "Provider",
      "Story",
      "Topic"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "Article",
      "Provider",
      "Story",
      "Topic"
    ]
  }
};
      export default result;
    