using System.Globalization;

namespace GcTriage.Core;

/// <summary>Prices a collection's data as a HashSet&lt;TKey&gt; and as a BitArray over its key range, and says which is worth it.</summary>
public static class CollectionAdvisor
{
    public static GcCollectionAdvice Advise(string kind, string typeName, long count, long currentBytes, long keySize, long keyAlignment,
        long? keyMin, long? keyMax, bool isSetLike, string? setValue)
    {
        long? hashSet = keySize > 0 ? RuntimeLayout.HashSetBytes(count, keySize, keyAlignment) : null;
        long? bitArray = keyMin is not null && keyMax is not null ? RuntimeLayout.BitArrayBytes(keyMax.Value - keyMin.Value + 1) : null;

        // Only a set (or a map whose values are all the same) keeps its information in a HashSet or a BitArray.
        string recommended = "None";
        long best = currentBytes;
        if (isSetLike)
        {
            if (bitArray is not null && bitArray < best)
            {
                recommended = "BitArray";
                best = bitArray.Value;
            }

            if (kind != "HashSet" && hashSet is not null && hashSet < best)
            {
                recommended = "HashSet";
                best = hashSet.Value;
            }
        }

        string name = ShortName(typeName);
        string what = kind == "HashSet" || !isSetLike
            ? name
            : setValue is null ? $"{name} with every value the same" : $"{name} with all values {setValue}";
        string range = keyMin is not null && keyMax is not null
            ? string.Create(CultureInfo.InvariantCulture, $" over a range of {(double)keyMax.Value - keyMin.Value + 1:N0}")
            : "";
        string text = recommended switch
        {
            "BitArray" => string.Create(CultureInfo.InvariantCulture, $"{what}, {count:N0} keys{range}: a BitArray would take {Units.Bytes(bitArray!.Value)} instead of {Units.Bytes(currentBytes)}"),
            "HashSet" => string.Create(CultureInfo.InvariantCulture, $"{what}, {count:N0} keys: a HashSet would take {Units.Bytes(hashSet!.Value)} instead of {Units.Bytes(currentBytes)}"),
            _ when !isSetLike => string.Create(CultureInfo.InvariantCulture, $"{what}, {count:N0} entries: values differ, no smaller shape keeps them"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{what}, {count:N0} keys: already the smallest shape"),
        };

        return new GcCollectionAdvice
        {
            CurrentBytes = currentBytes,
            HashSetBytes = hashSet,
            BitArrayBytes = bitArray,
            SavingBytes = Math.Max(0, currentBytes - best),
            Recommended = recommended,
            Recommendation = text,
        };
    }

    /// <summary>System.Collections.Generic.Dictionary&lt;System.Int64, System.Boolean&gt; as Dictionary&lt;Int64,Boolean&gt;.</summary>
    internal static string ShortName(string typeName)
    {
        var sb = new System.Text.StringBuilder(typeName.Length);
        int segmentStart = 0;
        for (int i = 0; i <= typeName.Length; i++)
        {
            char c = i < typeName.Length ? typeName[i] : '\0';
            if (c is '<' or '>' or ',' or '\0' or '[' or ']')
            {
                string segment = typeName[segmentStart..i].Trim();
                int dot = segment.LastIndexOf('.');
                sb.Append(dot >= 0 ? segment[(dot + 1)..] : segment);
                if (c != '\0')
                {
                    sb.Append(c);
                }

                segmentStart = i + 1;
            }
        }

        return sb.ToString();
    }
}
